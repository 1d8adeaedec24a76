// SafeChat: chats with the models the user's key allows, streaming the answer, showing what compliance did to the
// message (finding types and actions, never values) and what the answer cost. Text goes in as text, never markup.
(function () {
  "use strict";
  var KEY = "smartflow.safechat.key";
  var messages = document.getElementById("messages");
  var messageBox = document.getElementById("message");
  var modelSelect = document.getElementById("model");
  var history = [];
  var me = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function say(text) { messageBox.textContent = text; messageBox.hidden = false; }

  function key() { return sessionStorage.getItem(KEY) || ""; }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)smartflow_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : (me && me.csrf_token) || "";
  }

  function describe(flags) {
    var types = [], actions = [];
    flags.forEach(function (f) {
      if (f.indexOf("action.") === 0) { actions.push(f.slice(7)); }
      else if (f.indexOf("policy.") !== 0 && f.indexOf("answer.") !== 0) { types.push(f.split(".").pop()); }
    });
    return {types: types, actions: actions};
  }

  function loadModels() {
    modelSelect.textContent = "";
    if (!key()) { return; }
    fetch("/v1/models", {headers: {"Authorization": "Bearer " + key()}}).then(function (res) {
      return res.json().then(function (json) {
        if (!res.ok) { throw new Error((json.error && json.error.message) || ("HTTP " + res.status)); }
        (json.data || []).forEach(function (m) {
          var o = el("option", null, m.id); o.value = m.id; modelSelect.appendChild(o);
        });
        messageBox.hidden = true;
      });
    }).catch(function (e) { say("Your key cannot list models: " + e.message); });
  }

  function send(text) {
    var userBox = el("div", "msg user", text);
    messages.appendChild(userBox);
    var answer = el("div", "msg assistant");
    answer.setAttribute("data-state", "streaming");
    var body = el("span", "content");
    var meta = el("div", "meta");
    answer.appendChild(body);
    answer.appendChild(meta);
    messages.appendChild(answer);
    history.push({role: "user", content: text});
    var content = "";

    function notice(flags, blocked, why) {
      var d = describe(flags);
      if (!blocked && d.actions.length === 0 && d.types.length === 0) { return; }
      var n = el("div", "notice" + (blocked ? " blocked" : ""));
      n.setAttribute("data-notice", blocked ? "blocked" : "redacted");
      var done = {redact: "redacted", pseudonymise: "pseudonymised", block: "blocked", log: "logged", flag: "flagged"};
      var what = d.actions.map(function (a) { return done[a] || a; }).join(" and ") || "flagged";
      n.textContent = blocked ? "Blocked: " + why
        : "Your message was " + what + " before it left: it contained " + (d.types.join(", ") || "sensitive data") + ".";
      userBox.appendChild(n);
    }

    fetch("/v1/chat/completions", {
      method: "POST",
      headers: {"Authorization": "Bearer " + key(), "Content-Type": "application/json", "x-smartflow-safechat": "1"},
      body: JSON.stringify({model: modelSelect.value, messages: history, stream: true})
    }).then(function (res) {
      var flags = (res.headers.get("x-smartflow-compliance-flags") || "").split(",").filter(Boolean);
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (json) {
          var msg = (json.error && json.error.message) || ("HTTP " + res.status);
          if (json.error && json.error.code === "compliance_violation") { notice(flags, true, msg); }
          answer.setAttribute("data-state", "error");
          body.textContent = msg;
          history.pop();
        });
      }
      notice(flags, false);
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function handle(block) {
        var event = "", data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) { event = line.slice(6).trim(); }
          else if (line.indexOf("data:") === 0) { data += line.slice(5).trim(); }
        });
        if (!data || data === "[DONE]") { return; }
        var json;
        try { json = JSON.parse(data); } catch (e) { return; }
        if (event === "smartflow.summary") {
          meta.textContent = "Cost: " + (json.cost_usd === null ? "not priced" : "$" + Number(json.cost_usd).toFixed(6));
          meta.setAttribute("data-cost", json.cost_usd === null ? "" : String(json.cost_usd));
          return;
        }
        var delta = json.choices && json.choices[0] && json.choices[0].delta;
        if (delta && typeof delta.content === "string") {
          content += delta.content;
          body.textContent = content;
        }
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) {
            if (buffer.trim()) { handle(buffer); }
            answer.setAttribute("data-state", "done");
            history.push({role: "assistant", content: content});
            return;
          }
          buffer += decoder.decode(r.value, {stream: true});
          var parts = buffer.split(/\r?\n\r?\n/);
          buffer = parts.pop();
          parts.forEach(handle);
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      answer.setAttribute("data-state", "error");
      body.textContent = "The gateway cannot be reached: " + e.message;
    });
  }

  document.getElementById("key-form").addEventListener("submit", function (e) {
    e.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById("api-key").value.trim());
    document.getElementById("api-key").value = "";
    loadModels();
  });
  document.getElementById("composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var prompt = document.getElementById("prompt");
    var text = prompt.value.trim();
    if (!text) { return; }
    if (!key()) { say("Enter your API key first."); return; }
    prompt.value = "";
    send(text);
  });
  document.getElementById("logout").addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    fetch("/auth/logout", {method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token": csrf()}})
      .finally(function () { location.href = "/safechat/login.html"; });
  });
  fetch("/auth/me", {credentials: "same-origin"}).then(function (res) {
    if (!res.ok) { location.href = "/safechat/login.html"; return; }
    return res.json().then(function (json) {
      me = json;
      document.getElementById("who").textContent = json.user;
      loadModels();
    });
  });
})();
