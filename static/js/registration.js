// Registration steps. Everything works without this file: it only hides the questions that do not
// apply (a fieldset with data-show-when-name / data-show-when-value is shown only while that radio
// value is chosen) and moves the focus to the error summary after a refused submission.
(function () {
  "use strict";

  function setUpConditionalFieldsets() {
    document.querySelectorAll("fieldset[data-show-when-name]").forEach(function (fieldset) {
      var name = fieldset.dataset.showWhenName;
      var value = fieldset.dataset.showWhenValue;
      var form = fieldset.form || fieldset.closest("form");
      if (!form) {
        return;
      }
      var radios = form.querySelectorAll('input[type="radio"][name="' + CSS.escape(name) + '"]');
      function update() {
        var checked = form.querySelector('input[type="radio"][name="' + CSS.escape(name) + '"]:checked');
        fieldset.hidden = !(checked && checked.value === value);
      }
      radios.forEach(function (radio) {
        radio.setAttribute("aria-controls", fieldset.id);
        radio.addEventListener("change", update);
      });
      update();
    });
  }

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  setUpConditionalFieldsets();
  focusErrorSummary();
})();
