// Logs in with JSON (the form also works without script); on success goes to the start page of the app whose
// login page this is (/dashboard/ or /safechat/). Shared by both apps.
(function () {
  "use strict";
  var form = document.getElementById("login");
  var message = document.getElementById("message");
  if (location.search.indexOf("error=1") >= 0) {
    message.textContent = "Wrong user name or password.";
    message.hidden = false;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    message.hidden = true;
    fetch("/auth/login", {
      method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({username: document.getElementById("username").value,
                            password: document.getElementById("password").value})
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (res.ok) {
          location.href = location.pathname.replace(/login\.html$/, "");
          return;
        }
        message.textContent = (json.error && json.error.message) || ("Login failed (" + res.status + ")");
        message.hidden = false;
      });
    }).catch(function () {
      message.textContent = "The gateway cannot be reached.";
      message.hidden = false;
    });
  });
})();
