// The NPS survey form (templates/nps.html): a CSV file chosen on the device is read here, in the
// browser, into the "Who to ask" box, which the form posts as text (the portal takes no uploads).
// Without JavaScript the chooser stays hidden and the box takes a pasted CSV. The page's
// Content-Security-Policy allows no inline script: everything is found by id.
(function () {
  "use strict";

  var chooser = document.getElementById("recipients-file");
  var box = document.getElementById("recipients");
  var area = document.getElementById("recipients-file-area");
  var status = document.getElementById("recipients-file-status");
  if (!chooser || !box || !area || !window.FileReader) {
    return;
  }
  area.hidden = false;
  chooser.addEventListener("change", function () {
    var file = chooser.files && chooser.files[0];
    if (!file) {
      return;
    }
    if (file.size > 200000) {
      status.textContent = file.name + " is too large: at most 200,000 characters.";
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      box.value = String(reader.result || "");
      status.textContent = file.name + " is in the box below: check it, then send the survey.";
    };
    reader.onerror = function () {
      status.textContent = file.name + " could not be read: paste its contents instead.";
    };
    reader.readAsText(file);
  });
})();
