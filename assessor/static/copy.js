// A "Copy" button beside a read-only link: copies the field named by its data-copy
// attribute and says so next to it. Without JavaScript the field stays selectable.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy") + "-copied");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { if (status) status.textContent = "Copied."; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
          if (status) status.textContent = "Press Ctrl+C (or Cmd+C) to copy.";
        });
      } else {
        field.select();
        document.execCommand("copy");
        done();
      }
    });
  });
})();
