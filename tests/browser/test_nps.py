"""NPS in a real browser (issue 15, slice 7): a business chooses the CSV its shop exported (read in
the browser into the form's box, which it can check before sending), sends the survey, and sees a
customer's answer, which the customer gave from the link in their mail (the local outbox)."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_contracts import sign_in
from tests.integration.helpers import business

pytestmark = pytest.mark.browser

CSV = b"Name,Email,Orders\nJane Doe,jane-nps@example.com,3\nSam Roe,sam-nps@example.com,1\n"


def test_a_business_sends_a_survey_from_a_csv_file_and_sees_the_answer(client, page, browser, portal_url):
    owner = business(client, company_name=f"Kettle Club {uuid.uuid4().hex[:6]}")
    sign_in(page, portal_url, owner["email"])
    page.wait_for_url("**/app")
    page.goto(portal_url + "/app/nps")
    page.get_by_label("Name (for you").fill("Customers of Q4")
    page.get_by_label("Choose a CSV file").set_input_files(
        files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    expect(page.locator("#recipients-file-status")).to_contain_text("customers.csv is in the box below")
    expect(page.locator("#recipients")).to_have_value(CSV.decode())
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_role("status")).to_contain_text("Survey sent to 2 people.")
    expect(page.get_by_role("heading", name="Customers of Q4")).to_be_visible()

    customer = browser.new_context()
    mailbox = customer.new_page()
    mailbox.goto(f"{portal_url}/dev/outbox")
    mail = mailbox.locator("article").filter(has_text="to jane-nps@example.com").first
    mail.locator('a[href*="/nps/"]').first.click()
    expect(mailbox.get_by_role("heading", name="One question")).to_be_visible()
    mailbox.get_by_label("9", exact=True).check()
    mailbox.get_by_label("What is the main reason for your score?").fill("Lovely kettles")
    mailbox.get_by_role("button", name="Send my answer").click()
    expect(mailbox.get_by_role("status")).to_contain_text("Thank you: your answer is recorded.")
    customer.close()

    page.reload()
    answers = page.get_by_role("table", name="Answers, newest first")
    expect(answers).to_contain_text("jane-nps@example.com")
    expect(answers).to_contain_text("Lovely kettles")
    expect(page.get_by_text("+100")).to_be_visible()
    assert page.problems == []
