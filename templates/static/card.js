// The card page (templates/card.html): Stripe's Payment Element takes the card and Stripe.js
// confirms the business's SetupIntent; Stripe then sends the browser to the return page, which
// reads the outcome from Stripe. Loaded after https://js.stripe.com/v3/. Everything it needs is in
// the form's data- attributes: the page's Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  var form = document.getElementById("card-form");
  if (!form) {
    return;
  }
  var button = document.getElementById("card-submit");
  var alertArea = document.getElementById("card-error");

  function show(message) {
    alertArea.textContent = message; // text, never HTML
  }

  function ready() {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }

  if (typeof window.Stripe !== "function") {
    show("Stripe's card form could not be loaded. Check your connection, then reload this page.");
    return;
  }

  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var payment = elements.create("payment");
  payment.on("ready", ready);
  payment.on("loaderror", function (event) {
    show((event.error && event.error.message) || "Stripe's card form could not be loaded. Reload this page.");
  });
  payment.mount("#payment-element");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    show("");
    stripe
      .confirmSetup({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(
        function (result) {
          // When the card is saved Stripe sends the browser to return_url: only errors land here.
          if (result.error) {
            show(result.error.message || "The card was not saved. Try again.");
            ready();
          }
        },
        function () {
          show("Stripe could not be reached. Nothing was saved: try again.");
          ready();
        }
      );
  });
})();
