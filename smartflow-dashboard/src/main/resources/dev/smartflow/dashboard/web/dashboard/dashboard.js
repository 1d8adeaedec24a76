// The Smartflow dashboard: one page per admin API area, each drawn from the same admin APIs curl users call.
// Every value from the gateway goes into the page as text (textContent), never as markup; the page's
// Content-Security-Policy allows no inline script either.
(function () {
  "use strict";

  var RELAY = {proxy: "/dashboard/relay/proxy", policy: "/dashboard/relay/policy",
               compliance: "/dashboard/relay/compliance"};
  var page = document.getElementById("page");
  var messageBox = document.getElementById("message");
  var me = null;
  var timer = null;

  // ---- small helpers -------------------------------------------------------------------------------------------

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === "text") { el.textContent = String(v); }
        else if (k === "on") { Object.keys(v).forEach(function (e) { el.addEventListener(e, v[e]); }); }
        else { el.setAttribute(k, v === true ? "" : String(v)); }
      });
    }
    for (var i = 2; i < arguments.length; i++) { append(el, arguments[i]); }
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)smartflow_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : (me && me.csrf_token) || "";
  }

  function api(method, url, body, raw) {
    var headers = {"Accept": "application/json"};
    if (method !== "GET") { headers["X-CSRF-Token"] = csrf(); }
    var init = {method: method, credentials: "same-origin", headers: headers};
    if (raw) { init.body = raw; }
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (res) {
      return res.text().then(function (text) {
        var json = {};
        try { json = text ? JSON.parse(text) : {}; } catch (e) { json = {}; }
        if (res.status === 401 && url.indexOf("/auth/") !== 0) {
          // the session may have ended: back to the login page if so
          fetch("/auth/me", {credentials: "same-origin"}).then(function (me) {
            if (me.status === 401) { location.href = "/dashboard/login.html"; }
          });
        }
        if (!res.ok) {
          var err = new Error((json.error && json.error.message) || ("HTTP " + res.status));
          err.status = res.status;
          err.code = json.error && json.error.code;
          throw err;
        }
        return json;
      });
    });
  }

  function say(text, ok) {
    messageBox.textContent = text;
    messageBox.className = "message " + (ok ? "ok" : "error");
    messageBox.hidden = false;
  }

  function fail(e) { say(e.message || String(e), false); }

  function money(v) { return v === null || v === undefined ? "—" : "$" + Number(v).toFixed(6).replace(/0{1,4}$/, ""); }
  function pct(v) { return (Number(v || 0) * 100).toFixed(1) + "%"; }
  function fmt(v) { return v === null || v === undefined || v === "" ? "—" : (typeof v === "object" ? JSON.stringify(v) : String(v)); }

  function table(columns, rows, rowAttrs) {
    var head = h("tr", null, columns.map(function (c) { return h("th", {text: c.title}); }));
    var body = rows.map(function (row) {
      var tr = h("tr", rowAttrs ? rowAttrs(row) : null,
        columns.map(function (c) {
          var v = c.render ? c.render(row) : fmt(row[c.key]);
          return h("td", {"class": c.cls || null}, v);
        }));
      return tr;
    });
    return h("table", null, h("thead", null, head), h("tbody", null, body));
  }

  function card(label, value, id) {
    return h("div", {"class": "card"}, h("div", {"class": "label", text: label}),
             h("div", {"class": "value", id: id, text: value}));
  }

  function field(label, input) { return h("label", null, label, input); }

  function input(id, attrs) {
    var a = Object.assign({id: id}, attrs || {});
    return h("input", a);
  }

  function value(id) { var el = document.getElementById(id); return el ? el.value.trim() : ""; }

  function parseJson(text, what) {
    try { return JSON.parse(text); } catch (e) { throw new Error(what + " is not valid JSON: " + e.message); }
  }

  // ---- charts: inline SVG, drawn here ----------------------------------------------------------------------------

  var SVG = "http://www.w3.org/2000/svg";
  function s(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function chart(id, title, points, format, color) {
    var w = 400, hgt = 150, left = 46, right = 8, top = 10, bottom = 22;
    var max = points.reduce(function (m, p) { return Math.max(m, p.v); }, 0);
    var total = points.reduce(function (m, p) { return m + p.v; }, 0);
    var svg = s("svg", {viewBox: "0 0 " + w + " " + hgt, id: id, role: "img", "data-total": String(total),
                        "data-max": String(max)});
    var title2 = s("title", {}); title2.textContent = title; svg.appendChild(title2);
    var x = function (i) { return left + (w - left - right) * (points.length < 2 ? 0 : i / (points.length - 1)); };
    // an all-zero series lies on the base line, where its single "0" tick is
    var y = function (v) { return top + (hgt - top - bottom) * (1 - (max === 0 ? 0 : v / max)); };
    // an all-zero series has one tick, "0", at the base line: three ticks would all read "0"
    (max === 0 ? [0] : [0, 0.5, 1]).forEach(function (f) {
      var yy = top + (hgt - top - bottom) * (1 - f);
      svg.appendChild(s("line", {x1: left, x2: w - right, y1: yy, y2: yy, stroke: "#e3e7ef"}));
      var t = s("text", {x: left - 4, y: yy + 4, "text-anchor": "end", "font-size": "10", fill: "#6b7385",
                         "class": "tick"});
      t.textContent = format(max * f);
      svg.appendChild(t);
    });
    if (points.length) {
      [0, points.length - 1].forEach(function (i) {
        var t = s("text", {x: x(i), y: hgt - 6, "text-anchor": i === 0 ? "start" : "end", "font-size": "10",
                           fill: "#6b7385"});
        t.textContent = points[i].label;
        svg.appendChild(t);
      });
      var area = "M" + x(0) + "," + y(0);
      var line = "";
      points.forEach(function (p, i) { area += " L" + x(i) + "," + y(p.v); line += (i ? " L" : "M") + x(i) + "," + y(p.v); });
      area += " L" + x(points.length - 1) + "," + y(0) + " Z";
      svg.appendChild(s("path", {d: area, fill: color, "fill-opacity": "0.12"}));
      svg.appendChild(s("path", {d: line, fill: "none", stroke: color, "stroke-width": "2"}));
      points.forEach(function (p, i) {
        if (p.v > 0) { svg.appendChild(s("circle", {cx: x(i), cy: y(p.v), r: 2.5, fill: color})); }
      });
    }
    return h("div", {"class": "chart"}, h("h3", {text: title}), svg);
  }

  function count(v) { return v % 1 === 0 ? v.toFixed(0) : v.toFixed(1); }
  function usd(v) { return v === 0 ? "$0" : "$" + (v < 0.01 ? Number(v.toPrecision(2)).toString() : v.toFixed(2)); }

  // per-minute buckets of the last hour, from the audit log
  function buckets(records, now) {
    var out = [];
    for (var i = 59; i >= 0; i--) {
      var t = new Date(now - i * 60000);
      out.push({label: ("0" + t.getHours()).slice(-2) + ":" + ("0" + t.getMinutes()).slice(-2),
                start: Math.floor((now - i * 60000) / 60000) * 60000, requests: 0, errors: 0, cost: 0, cached: 0});
    }
    records.forEach(function (r) {
      var at = Date.parse(r.timestamp);
      var minute = Math.floor(at / 60000) * 60000;
      for (var j = 0; j < out.length; j++) {
        if (out[j].start === minute) {
          out[j].requests++;
          if (r.status >= 400) { out[j].errors++; }
          out[j].cost += Number(r.cost_usd || 0);
          if (r.cached) { out[j].cached++; }
        }
      }
    });
    return out;
  }

  // ---- pages ---------------------------------------------------------------------------------------------------

  var pages = {};

  pages.overview = function () {
    var since = new Date(Date.now() - 3600000).toISOString();
    return Promise.all([api("GET", "/api/analytics"), api("GET", "/api/vas/logs?limit=10000&since=" + encodeURIComponent(since))])
      .then(function (r) {
        var a = r[0], logs = r[1].data || [];
        var b = buckets(logs, Date.now());
        var series = function (f) { return b.map(function (x) { return {label: x.label, v: f(x)}; }); };
        return [h("h1", {text: "Overview"}),
          h("div", {"class": "cards"},
            card("Requests (7 days)", String(a.requests), "stat-requests"),
            card("Errors", String(a.errors) + " (" + pct(a.error_rate) + ")", "stat-errors"),
            card("Cost", money(a.cost_usd), "stat-cost"),
            card("Cache hit rate", pct(a.cache_hit_rate), "stat-cache"),
            card("Latency p95", (a.latency_ms ? Number(a.latency_ms.p95).toFixed(0) : "0") + " ms", "stat-latency")),
          h("p", {"class": "muted", text: "Last hour, per minute (refreshes every 3 s)."}),
          h("div", {"class": "charts"},
            chart("chart-requests", "Requests", series(function (x) { return x.requests; }), count, "#2456c9"),
            chart("chart-errors", "Errors", series(function (x) { return x.errors; }), count, "#c23a3a"),
            chart("chart-cost", "Cost (USD)", series(function (x) { return x.cost; }), usd, "#2f9e6a"),
            chart("chart-cache", "Cache hit rate", series(function (x) { return x.requests ? x.cached / x.requests : 0; }), function (v) { return (v * 100).toFixed(0) + "%"; }, "#8a4fd1"))];
      });
  };
  pages.overview.refresh = 3000;

  // a table of the first list of objects in an answer, its columns the first object's fields
  function autoTable(json) {
    var list = Array.isArray(json) ? json : null;
    if (!list && json && typeof json === "object") {
      Object.keys(json).some(function (k) { if (Array.isArray(json[k])) { list = json[k]; return true; } return false; });
    }
    if (!list || !list.length || typeof list[0] !== "object") {
      return h("pre", {"class": "detail", text: JSON.stringify(json, null, 2)});
    }
    return table(Object.keys(list[0]).map(function (k) { return {title: k, key: k}; }), list);
  }

  pages.providers = function () {
    return Promise.all([api("GET", "/api/providers"), api("GET", "/api/providers/health")]).then(function (r) {
      return [h("h1", {text: "Providers"}),
        table([{title: "Provider", key: "name"},
               {title: "Configured", render: function (p) { return h("span", {"class": "pill " + (p.available ? "good" : "bad"), text: p.available ? "yes" : "no"}); }},
               {title: "API base", key: "api_base"}], r[0].data || []),
        h("h2", {text: "Health"}), h("div", {id: "provider-health"}, autoTable(r[1]))];
    });
  };

  pages.routing = function () {
    return Promise.all([api("GET", "/api/routing/fallback-chains"), api("GET", "/api/routing/status")]).then(function (r) {
      var chains = r[0].chains || [];
      var editor = h("textarea", {id: "chain-json", text: JSON.stringify({name: "production", strategy: "priority",
        targets: [{provider: "openai", model: "gpt-4o-mini"}]}, null, 2)});
      return [h("h1", {text: "Routing chains"}),
        table([{title: "Name", key: "name"}, {title: "Strategy", key: "strategy"},
               {title: "Targets", render: function (c) { return (c.targets || []).map(function (t) { return t.provider + "/" + t.model; }).join(" → "); }},
               {title: "", render: function (c) {
                 return [h("button", {"class": "secondary", type: "button", on: {click: function () {
                   editor.value = JSON.stringify(c, null, 2); }}, text: "Edit"}), " ",
                   h("button", {"class": "danger", type: "button", on: {click: function () {
                     api("DELETE", "/api/routing/fallback-chains/" + encodeURIComponent(c.name)).then(function () { say("Chain deleted", true); show(); }, fail);
                   }}, text: "Delete"})]; }}], chains),
        h("h2", {text: "Create or replace a chain"}), editor,
        h("div", {"class": "row"}, h("button", {id: "chain-save", type: "button", on: {click: function () {
          var chain = parseJson(editor.value, "The chain");
          api("PUT", "/api/routing/fallback-chains/" + encodeURIComponent(chain.name || ""), chain)
            .then(function () { say("Chain '" + chain.name + "' saved", true); show(); }, fail);
        }}, text: "Save chain"})),
        h("h2", {text: "Force a provider"}),
        h("div", {"class": "row"}, field("Provider", input("force-provider", {placeholder: "openai"})),
          field("Seconds", input("force-seconds", {type: "number", value: "600", min: "1", max: "86400"})),
          h("button", {type: "button", on: {click: function () {
            api("POST", "/api/routing/force-provider", {provider: value("force-provider"), duration_seconds: Number(value("force-seconds"))})
              .then(function () { say("Provider forced", true); show(); }, fail); }}, text: "Force"}),
          h("button", {"class": "secondary", type: "button", on: {click: function () {
            api("DELETE", "/api/routing/force-provider").then(function () { say("Forcing cleared", true); show(); }, fail); }}, text: "Clear"})),
        h("h2", {text: "Status"}), h("pre", {"class": "detail", text: JSON.stringify(r[1], null, 2)})];
    });
  };

  var shownToken = null;
  pages.keys = function () {
    return api("GET", "/api/enterprise/vkeys").then(function (r) {
      var keys = r.keys || [];
      return Promise.all(keys.map(function (k) {
        return k.budget_usd === null || k.budget_usd === undefined ? Promise.resolve(null)
          : api("GET", "/api/enterprise/vkeys/" + encodeURIComponent(k.key_id) + "/budget").then(function (b) { return b.budget; }, function () { return null; });
      })).then(function (budgets) {
        var tokenBox = null;
        if (shownToken) {
          tokenBox = h("div", {"class": "token", id: "key-token"}, h("b", {text: "New key — copy it now, it will not be shown again: "}),
                       h("span", {id: "key-token-value", text: shownToken}));
          shownToken = null;
        }
        return [h("h1", {text: "Virtual keys"}), tokenBox,
          h("form", {"class": "inline", id: "key-form", on: {submit: function (e) {
            e.preventDefault();
            var body = {name: value("key-name"), owner_id: value("key-owner")};
            if (value("key-budget")) { body.budget_usd = Number(value("key-budget")); body.period = value("key-period"); }
            if (value("key-provider")) { body.provider = value("key-provider"); }
            api("POST", "/api/enterprise/vkeys", body).then(function (res) {
              shownToken = res.token; say("Key '" + res.key_id + "' created", true); show();
            }, fail);
          }}},
            field("Name", input("key-name", {required: true})), field("Owner", input("key-owner", {required: true})),
            field("Budget (USD)", input("key-budget", {type: "number", step: "any", min: "0"})),
            field("Period", h("select", {id: "key-period"}, ["monthly", "weekly", "daily", "lifetime"].map(function (p) { return h("option", {value: p, text: p}); }))),
            field("Provider (optional)", input("key-provider")),
            h("button", {id: "key-create", type: "submit", text: "Create key"})),
          table([{title: "Id", key: "key_id"}, {title: "Name", key: "name"}, {title: "Owner", key: "owner_id"},
                 {title: "Status", cls: "status", render: function (k) { return h("span", {"class": "pill " + (k.active ? "good" : "bad"), text: k.active ? "active" : "revoked"}); }},
                 {title: "Spend", render: function (k) {
                   var b = budgets[keys.indexOf(k)];
                   if (!b) { return h("span", {"class": "muted", text: "no budget"}); }
                   var p = Math.min(100, Number(b.percent_used || 0));
                   return [h("div", {"class": "bar" + (p >= 100 ? " over" : p >= 80 ? " warn" : ""), title: p.toFixed(1) + "%"}, h("span", {style: "width:" + p + "%"})),
                           h("div", {"class": "muted", text: money(b.spent_usd) + " of " + money(b.budget_usd) + " (" + k.period + ")"})];
                 }},
                 {title: "Last used", key: "last_used"},
                 {title: "", render: function (k) {
                   return [k.active ? h("button", {"class": "danger revoke", type: "button", on: {click: function () {
                     api("POST", "/api/enterprise/vkeys/" + encodeURIComponent(k.key_id) + "/revoke").then(function () { say("Key '" + k.key_id + "' revoked", true); show(); }, fail);
                   }}, text: "Revoke"}) : null, " ",
                   h("button", {"class": "secondary reset", type: "button", on: {click: function () {
                     api("POST", "/api/enterprise/vkeys/" + encodeURIComponent(k.key_id) + "/reset").then(function () { say("Budget of '" + k.key_id + "' reset", true); show(); }, fail);
                   }}, text: "Reset budget"})];
                 }}], keys, function (k) { return {"data-key-id": k.key_id}; })];
      });
    });
  };

  var auditState = {page: 0, size: 25, filter: {}};
  pages.audit = function () {
    var f = auditState.filter;
    var q = "?limit=1000" + (f.provider ? "&provider=" + encodeURIComponent(f.provider) : "") +
            (f.key ? "&key=" + encodeURIComponent(f.key) : "") + (f.since ? "&since=" + encodeURIComponent(f.since) : "");
    return api("GET", "/api/vas/logs" + q).then(function (r) {
      var all = r.data || [];
      var pages_ = Math.max(1, Math.ceil(all.length / auditState.size));
      auditState.page = Math.min(auditState.page, pages_ - 1);
      var rows = all.slice(auditState.page * auditState.size, (auditState.page + 1) * auditState.size);
      var detail = h("pre", {"class": "detail", id: "audit-detail", hidden: true});
      return [h("h1", {text: "Audit log"}),
        h("form", {"class": "inline", id: "audit-filter", on: {submit: function (e) {
          e.preventDefault();
          auditState.filter = {provider: value("audit-provider"), key: value("audit-key"), since: value("audit-since")};
          auditState.page = 0; show();
        }}}, field("Provider", input("audit-provider", {value: f.provider || ""})),
          field("Key id", input("audit-key", {value: f.key || ""})),
          field("Since (date or instant)", input("audit-since", {value: f.since || "", placeholder: "2026-11-23"})),
          h("button", {type: "submit", text: "Filter"})),
        table([{title: "Time", key: "timestamp"}, {title: "Status", key: "status"}, {title: "Route", key: "route"},
               {title: "Provider", key: "provider"}, {title: "Model", key: "model"}, {title: "Key", key: "key_id"},
               {title: "User", key: "user_id"}, {title: "Cost", render: function (x) { return money(x.cost_usd); }},
               {title: "Flags", render: function (x) { return (x.compliance_flags || []).join(", "); }}], rows,
              function (x) { return {"class": "clickable", "data-request-id": x.request_id, on: {click: function () {
                detail.hidden = false; detail.textContent = JSON.stringify(x, null, 2); detail.scrollIntoView(); }}}; }),
        h("div", {"class": "row"},
          h("button", {"class": "secondary", type: "button", disabled: auditState.page === 0, on: {click: function () { auditState.page--; show(); }}, text: "Newer"}),
          h("span", {id: "audit-page", text: "Page " + (auditState.page + 1) + " of " + pages_ + " (" + all.length + (r.has_more ? "+" : "") + " records)"}),
          h("button", {"class": "secondary", type: "button", disabled: auditState.page >= pages_ - 1, on: {click: function () { auditState.page++; show(); }}, text: "Older"})),
        detail];
    });
  };

  var analyticsRange = {start: "", end: ""};
  pages.analytics = function () {
    var q = "?top=10" + (analyticsRange.start ? "&start_date=" + encodeURIComponent(analyticsRange.start) : "") +
            (analyticsRange.end ? "&end_date=" + encodeURIComponent(analyticsRange.end) : "");
    return api("GET", "/api/analytics" + q).then(function (a) {
      var share = function (list) {
        var max = list.reduce(function (m, x) { return Math.max(m, x.requests || 0); }, 0);
        return {title: "", render: function (x) {
          var p = max ? 100 * (x.requests || 0) / max : 0;
          return h("div", {"class": "bar", title: String(x.requests)}, h("span", {style: "width:" + p.toFixed(1) + "%"}));
        }};
      };
      var cols = function (name, id, list) {
        return [{title: name, render: id}, {title: "Requests", key: "requests"}, share(list),
                {title: "Errors", render: function (x) { return fmt(x.errors); }},
                {title: "Cost", render: function (x) { return money(x.cost_usd); }},
                {title: "Tokens", render: function (x) { return x.prompt_tokens === undefined ? "—" : String(x.prompt_tokens + x.completion_tokens); }}];
      };
      var providers = a.by_provider || [], models = a.by_model || [], keys = a.top_keys || [], users = a.top_users || [];
      return [h("h1", {text: "Analytics"}),
        h("form", {"class": "inline", on: {submit: function (e) {
          e.preventDefault(); analyticsRange = {start: value("analytics-start"), end: value("analytics-end")}; show(); }}},
          field("From (YYYY-MM-DD)", input("analytics-start", {value: analyticsRange.start, placeholder: "7 days ago"})),
          field("To", input("analytics-end", {value: analyticsRange.end, placeholder: "now"})),
          h("button", {type: "submit", text: "Apply"})),
        h("p", {"class": "muted", text: a.start + " to " + a.end + ": " + a.requests + " requests, " + money(a.cost_usd)}),
        h("h2", {text: "By provider"}), table(cols("Provider", function (x) { return fmt(x.provider); }, providers), providers),
        h("h2", {text: "By model"}), table(cols("Model", function (x) { return x.provider + "/" + x.model; }, models), models),
        h("h2", {text: "Top keys"}), table(cols("Key", function (x) { return fmt(x.key_id); }, keys), keys),
        h("h2", {text: "Top users"}), table(cols("User", function (x) { return fmt(x.user_id); }, users), users),
        h("h2", {text: "Daily"}), table([{title: "Day", key: "date"}, {title: "Requests", key: "requests"},
          {title: "Errors", key: "errors"}, {title: "Cached", key: "cached"}, {title: "Cost", render: function (d) { return money(d.cost_usd); }}], a.daily || [])];
    });
  };

  pages.cache = function () {
    return api("GET", "/api/cache/stats").then(function (st) {
      return [h("h1", {text: "Cache"}),
        h("div", {"class": "cards"}, card("Hit rate", pct(st.hit_rate), "cache-hit-rate"), card("Hits", fmt(st.hits), "cache-hits"),
          card("Misses", fmt(st.misses), "cache-misses"), card("Entries", fmt(st.entries), "cache-entries"),
          card("Saved", money(st.cost_saved_usd), "cache-saved")),
        h("div", {"class": "row"}, field("Namespace", input("cache-namespace", {placeholder: "docs"})),
          h("button", {"class": "danger", type: "button", id: "cache-clear", on: {click: function () {
            var ns = value("cache-namespace");
            if (!ns) { say("Name the namespace to clear", false); return; }
            api("DELETE", "/api/cache?namespace=" + encodeURIComponent(ns)).then(function (r) { say("Cleared " + r.cleared + " entries of '" + ns + "'", true); show(); }, fail);
          }}, text: "Clear namespace"}))];
    }, function (e) {
      if (e.status === 404) { return [h("h1", {text: "Cache"}), h("p", {"class": "muted", text: "The cache module is not installed on this gateway."})]; }
      throw e;
    });
  };

  pages.compliance = function () {
    return api("GET", "/api/vas/logs?limit=500").then(function (r) {
      var found = (r.data || []).filter(function (x) {
        return (x.compliance_flags || []).some(function (f) { return f.indexOf("policy.") !== 0; });
      });
      return [h("h1", {text: "Compliance"}),
        h("h2", {text: "Recent findings"}),
        table([{title: "Time", key: "timestamp"}, {title: "Key", key: "key_id"}, {title: "Model", key: "model"},
               {title: "Score", key: "compliance_score"}, {title: "Flags (types and actions)", render: function (x) { return x.compliance_flags.join(", "); }}], found.slice(0, 50)),
        h("h2", {text: "Scan a text"}),
        h("textarea", {id: "scan-content", placeholder: "Text to scan"}),
        h("div", {"class": "row"}, h("button", {type: "button", on: {click: function () {
          api("POST", RELAY.compliance + "/api/compliance/intelligent/scan", {content: value("scan-content")}).then(function (res) {
            document.getElementById("feedback-scan").value = res.scan_id || "";
            document.getElementById("scan-result").textContent = JSON.stringify(res, null, 2);
          }, fail); }}, text: "Scan"})),
        h("pre", {"class": "detail", id: "scan-result"}),
        h("h2", {text: "Feedback"}),
        h("div", {"class": "row"}, field("Scan id", input("feedback-scan")),
          field("False positive", h("select", {id: "feedback-fp"}, h("option", {value: "true", text: "yes"}), h("option", {value: "false", text: "no"}))),
          field("Notes", input("feedback-notes")),
          h("button", {type: "button", on: {click: function () {
            api("POST", RELAY.compliance + "/api/compliance/intelligent/feedback", {scan_id: value("feedback-scan"),
              is_false_positive: value("feedback-fp") === "true", notes: value("feedback-notes")})
              .then(function (res) { say(res.message || "Feedback recorded", true); }, fail); }}, text: "Send feedback"}))];
    });
  };

  var jobTimer = null;
  pages.policies = function () {
    var P = RELAY.policy;
    return Promise.all([api("GET", P + "/api/policies"), api("GET", P + "/api/presets"), api("GET", P + "/api/assignments"),
                        api("GET", P + "/api/policies/generate")]).then(function (r) {
      var editor = h("textarea", {id: "policy-json", text: JSON.stringify({name: "No secrets", policy_type: "compliance",
        priority: 50, severity: "medium", content: "Do not share credentials."}, null, 2)});
      var progress = h("div", {"class": "progress", id: "job-progress", "data-pct": "0"}, h("span", {style: "width:0%"}));
      var status = h("div", {id: "job-status", "class": "muted", text: "No upload yet."});
      function watch(jobId) {
        if (jobTimer) { clearInterval(jobTimer); }
        var poll = function () {
          api("GET", P + "/api/policies/generate/" + encodeURIComponent(jobId)).then(function (res) {
            var j = res.job, p = Number(j.progress_pct || 0);
            progress.setAttribute("data-pct", String(p));
            progress.firstChild.setAttribute("style", "width:" + p + "%");
            status.textContent = j.filename + ": " + j.status + " — " + p + "%" + (j.error ? " (" + j.error + ")" : "");
            if (j.status === "completed" || j.status === "failed") {
              clearInterval(jobTimer); jobTimer = null;
              if (j.status === "completed") { suggestions(jobId); }
            }
          }, function (e) { clearInterval(jobTimer); jobTimer = null; fail(e); });
        };
        jobTimer = setInterval(poll, 500);
        poll();
      }
      var suggested = h("div", {id: "job-suggestions"});
      function suggestions(jobId) {
        api("GET", P + "/api/policies/generate/" + encodeURIComponent(jobId) + "/suggestions").then(function (res) {
          suggested.textContent = "";
          append(suggested, [h("h2", {text: "Suggested policies"}),
            table([{title: "Name", key: "name"}, {title: "Type", key: "type"}, {title: "Content", key: "content"},
                   {title: "Confidence", key: "confidence"},
                   {title: "", render: function (x) {
                     return x.accepted_policy_id ? h("span", {"class": "pill good", text: "accepted"}) :
                       h("button", {type: "button", "class": "accept", on: {click: function () {
                         api("POST", P + "/api/policies/generate/" + encodeURIComponent(jobId) + "/suggestions/" +
                           encodeURIComponent(x.id) + "/accept").then(function () { say("Policy created from the suggestion", true); suggestions(jobId); }, fail);
                       }}, text: "Accept"}); }}], res.suggested_policies || [])]);
        }, fail);
      }
      return [h("h1", {text: "Policies and presets"}),
        table([{title: "Id", key: "id"}, {title: "Name", key: "name"}, {title: "Type", key: "policy_type"},
               {title: "Priority", key: "priority"}, {title: "Active", key: "is_active"},
               {title: "", render: function (p) { return h("button", {"class": "secondary", type: "button", on: {click: function () {
                 editor.value = JSON.stringify({id: p.id, name: p.name, policy_type: p.policy_type, priority: p.priority,
                   severity: p.severity, content: p.content, is_active: p.is_active}, null, 2); }}, text: "Edit"}); }}], r[0].policies || []),
        h("h2", {text: "Create or edit a policy"}), editor,
        h("div", {"class": "row"}, h("button", {type: "button", on: {click: function () {
          var pol = parseJson(editor.value, "The policy");
          var req = pol.id ? api("PATCH", P + "/api/policies/" + encodeURIComponent(pol.id), pol) : api("POST", P + "/api/policies", pol);
          req.then(function () { say("Policy saved", true); show(); }, fail); }}, text: "Save policy"})),
        h("h2", {text: "Presets"}),
        table([{title: "Id", key: "id"}, {title: "Name", key: "name"}, {title: "Policies", render: function (x) { return (x.policy_ids || []).join(", "); }}], r[1].presets || []),
        h("div", {"class": "row"}, field("Preset name", input("preset-name")), field("Policy ids (comma separated)", input("preset-policies")),
          h("button", {type: "button", on: {click: function () {
            api("POST", P + "/api/presets", {name: value("preset-name"), policy_ids: value("preset-policies").split(",").map(function (x) { return x.trim(); }).filter(Boolean)})
              .then(function () { say("Preset created", true); show(); }, fail); }}, text: "Create preset"})),
        h("h2", {text: "Assignments"}),
        table([{title: "Id", key: "id"}, {title: "Scope", key: "scope"}, {title: "Target", key: "target"},
               {title: "Preset", key: "preset_id"}, {title: "Policy", key: "policy_id"}], r[2].assignments || []),
        h("div", {"class": "row"}, field("Scope", h("select", {id: "assign-scope"}, ["global", "key", "owner", "team", "role", "tag"].map(function (x) { return h("option", {value: x, text: x}); }))),
          field("Target", input("assign-target")), field("Preset or policy id", input("assign-id")),
          h("button", {type: "button", on: {click: function () {
            var id = value("assign-id"), body = {scope: value("assign-scope")};
            if (value("assign-target")) { body.target = value("assign-target"); }
            body[id.indexOf("pre_") === 0 ? "preset_id" : "policy_id"] = id;
            api("POST", P + "/api/assignments", body).then(function () { say("Assigned", true); show(); }, fail); }}, text: "Assign"})),
        h("h2", {text: "Policies from a document"}),
        h("div", {"class": "row"}, field("PDF, DOCX or text", h("input", {id: "doc-file", type: "file"})),
          h("button", {id: "doc-upload", type: "button", on: {click: function () {
            var file = document.getElementById("doc-file").files[0];
            if (!file) { say("Choose a document first", false); return; }
            var form = new FormData(); form.append("file", file);
            api("POST", P + "/api/policies/generate", undefined, form).then(function (res) { say("Document accepted", true); watch(res.job_id); }, fail);
          }}, text: "Upload"})),
        progress, status, suggested,
        table([{title: "Job", key: "id"}, {title: "File", key: "filename"}, {title: "Status", key: "status"}, {title: "Progress", render: function (j) { return j.progress_pct + "%"; }}], r[3].jobs || [])];
    });
  };

  pages.mcp = function () {
    var M = RELAY.proxy;
    var soft = function (p) { return p.catch(function (e) { return {error: e.message}; }); };
    return Promise.all([api("GET", M + "/api/mcp/servers"), soft(api("GET", M + "/api/mcp/tools")), soft(api("GET", M + "/api/mcp/usage"))]).then(function (r) {
      var editor = h("textarea", {id: "mcp-json", text: JSON.stringify({id: "github-tools", name: "GitHub tools", transport: "http", url: "https://mcp.example.com/mcp"}, null, 2)});
      return [h("h1", {text: "MCP servers"}),
        table([{title: "Id", key: "id"}, {title: "Name", key: "name"}, {title: "Transport", key: "transport"}, {title: "URL", key: "url"},
               {title: "", render: function (x) { return h("button", {"class": "danger", type: "button", on: {click: function () {
                 api("DELETE", M + "/api/mcp/servers/" + encodeURIComponent(x.id)).then(function () { say("Server removed", true); show(); }, fail); }}, text: "Remove"}); }}],
              r[0].servers || r[0].data || []),
        h("h2", {text: "Register a server"}), editor,
        h("div", {"class": "row"}, h("button", {type: "button", on: {click: function () {
          api("POST", M + "/api/mcp/servers", parseJson(editor.value, "The server")).then(function () { say("Server registered", true); show(); }, fail); }}, text: "Register"})),
        h("h2", {text: "Tools"}),
        table([{title: "Server", key: "server_id"}, {title: "Tool", key: "name"}, {title: "Description", key: "description"}], r[1].tools || []),
        h("h2", {text: "Usage"}), h("pre", {"class": "detail", text: JSON.stringify(r[2], null, 2)})];
    });
  };

  pages.a2a = function () {
    var A = RELAY.proxy;
    return api("GET", A + "/api/a2a/agents").then(function (r) {
      var editor = h("textarea", {id: "a2a-json", text: JSON.stringify({id: "summarizer-agent", name: "Summarizer", url: "https://agents.example.com/summarizer"}, null, 2)});
      return [h("h1", {text: "A2A agents"}),
        table([{title: "Id", key: "id"}, {title: "Name", key: "name"}, {title: "URL", key: "url"},
               {title: "", render: function (x) { return h("button", {"class": "danger", type: "button", on: {click: function () {
                 api("DELETE", A + "/api/a2a/agents/" + encodeURIComponent(x.id)).then(function () { say("Agent removed", true); show(); }, fail); }}, text: "Remove"}); }}],
              r.agents || r.data || []),
        h("h2", {text: "Register an agent"}), editor,
        h("div", {"class": "row"}, h("button", {type: "button", on: {click: function () {
          api("POST", A + "/api/a2a/agents", parseJson(editor.value, "The agent")).then(function () { say("Agent registered", true); show(); }, fail); }}, text: "Register"}))];
    });
  };

  // One run's calls across model calls, MCP tool calls and A2A tasks (GET /api/traces/{id}), its totals and state,
  // and the kill switch (POST /api/traces/{id}/stop); the runs listed are those of the latest audit records.
  var traceState = {open: null};
  pages.traces = function () {
    return api("GET", "/api/vas/logs?limit=1000").then(function (r) {
      var runs = {};
      var order = [];
      (r.data || []).forEach(function (rec) {
        var t = rec.trace_id;
        if (!t) { return; }
        if (!runs[t]) { runs[t] = {id: t, calls: 0, last: rec.timestamp}; order.push(t); }
        runs[t].calls += 1;
      });
      var detail = h("div", {id: "trace-detail"});
      var showTrace = function (t) {
        traceState.open = t;
        return api("GET", "/api/traces/" + encodeURIComponent(t)).then(function (trace) {
          var totals = trace.totals || {};
          var stop = me.role === "admin" && trace.state === "running" ? h("button", {"class": "danger", type: "button",
            id: "trace-stop", on: {click: function () {
              api("POST", "/api/traces/" + encodeURIComponent(t) + "/stop").then(function () {
                say("Run stopped: its later calls are refused on every instance", true); showTrace(t);
              }, fail); }}, text: "Stop run"}) : null;
          detail.textContent = "";
          append(detail, [h("h2", {text: "Trace " + t}),
            h("p", null, "State: ", h("strong", {id: "trace-state", text: trace.state + (trace.state === "limit_hit" && trace.limit ? " (" + trace.limit + ")" : "")}), " ", stop),
            h("div", {"class": "cards"}, card("Calls", fmt(totals.calls)), card("Cost", money(totals.cost_usd)),
              card("Tokens", fmt(totals.total_tokens)), card("Errors", fmt(totals.errors)),
              card("Wall time", totals.wall_time_ms === undefined ? "—" : Math.round(totals.wall_time_ms) + " ms")),
            table([{title: "Time", key: "timestamp"}, {title: "Kind", key: "kind", cls: "kind"},
                   {title: "Target", render: function (c) {
                     return c.kind === "mcp" ? fmt(c.server) + "." + fmt(c.tool) : c.kind === "a2a" ? fmt(c.agent)
                       : fmt(c.provider) + " / " + fmt(c.model); }},
                   {title: "Tokens", render: function (c) { return fmt((c.prompt_tokens || 0) + (c.completion_tokens || 0)); }},
                   {title: "Cost", render: function (c) { return money(c.cost_usd); }},
                   {title: "Latency ms", key: "latency_ms"}, {title: "Status", key: "status"},
                   {title: "Error", render: function (c) { return fmt(c.error); }}], trace.calls || [])]);
        }, fail);
      };
      var lookup = input("trace-id", {placeholder: "a trace id (x-a2a-trace-id)"});
      if (traceState.open) { showTrace(traceState.open); }
      return [h("h1", {text: "Traces"}),
        h("p", {"class": "muted", text: "One agent run's calls in order, across model calls, MCP tool calls and A2A tasks."}),
        h("form", {"class": "inline", id: "trace-lookup", on: {submit: function (e) {
          e.preventDefault(); if (lookup.value) { showTrace(lookup.value.trim()); } }}},
          field("Trace", lookup), h("button", {type: "submit", text: "Open"})),
        table([{title: "Trace", render: function (t) { return t.id; }}, {title: "Calls (latest 1000 records)", render: function (t) { return String(t.calls); }},
               {title: "Last call", render: function (t) { return fmt(t.last); }}],
              order.map(function (t) { return runs[t]; }),
              function (t) { return {"class": "clickable", "data-trace": t.id, on: {click: function () { showTrace(t.id); }}}; }),
        detail];
    });
  };

  pages.users = function () {
    return api("GET", "/api/dashboard/users").then(function (r) {
      return [h("h1", {text: "Users"}),
        table([{title: "User", key: "username"},
               {title: "Role", render: function (u) {
                 if (u.username === me.user) { return u.role; }
                 // a change of role ends the user's sessions on every instance
                 return h("select", {"class": "user-role", "data-user": u.username, on: {change: function (e) {
                   api("PATCH", "/api/dashboard/users/" + encodeURIComponent(u.username), {role: e.target.value})
                     .then(function () { say("Role changed: " + u.username + "'s sessions have ended", true); show(); }, fail); }}},
                   ["admin", "viewer", "chat"].map(function (x) { return h("option", {value: x, text: x, selected: x === u.role}); })); }},
               {title: "Updated", key: "updated_at"},
               {title: "", render: function (u) { return u.username === me.user ? null : h("button", {"class": "danger", type: "button", on: {click: function () {
                 api("DELETE", "/api/dashboard/users/" + encodeURIComponent(u.username)).then(function () { say("User deleted", true); show(); }, fail); }}, text: "Delete"}); }}], r.users || []),
        h("form", {"class": "inline", id: "user-form", on: {submit: function (e) {
          e.preventDefault();
          api("POST", "/api/dashboard/users", {username: value("user-name"), password: value("user-password"), role: value("user-role")})
            .then(function () { say("User created", true); show(); }, fail);
        }}}, field("User name", input("user-name", {required: true})),
          field("Password (12+ characters)", input("user-password", {type: "password", required: true})),
          field("Role", h("select", {id: "user-role"}, ["viewer", "admin", "chat"].map(function (x) { return h("option", {value: x, text: x}); }))),
          h("button", {type: "submit", text: "Create user"}))];
    });
  };

  function passwordPage() {
    return [h("h1", {text: "Choose a password"}),
      h("p", {text: "You logged in with the master key. Choose your own password (12 or more characters) to go on."}),
      h("form", {"class": "inline", id: "password-form", on: {submit: function (e) {
        e.preventDefault();
        api("POST", "/auth/password", {new_password: value("new-password")}).then(function (res) {
          me = res; say("Password set", true); start();
        }, fail);
      }}}, field("New password", input("new-password", {type: "password", required: true})),
        h("button", {id: "password-save", type: "submit", text: "Set password"}))];
  }

  // ---- navigation --------------------------------------------------------------------------------------------

  function current() {
    var name = (location.hash || "#overview").slice(1);
    return pages[name] ? name : "overview";
  }

  function render(nodes) {
    page.textContent = "";
    append(page, nodes);
  }

  function show(quiet) {
    if (timer) { clearTimeout(timer); timer = null; }
    var name = current();
    Array.prototype.forEach.call(document.querySelectorAll("#nav a"), function (a) {
      a.className = a.getAttribute("data-page") === name ? "active" : "";
    });
    if (!quiet) { page.setAttribute("data-loading", "true"); }
    return pages[name]().then(function (nodes) {
      if (current() !== name) { return; }
      render(nodes);
      page.setAttribute("data-page", name);
      page.removeAttribute("data-loading");
      if (pages[name].refresh) { timer = setTimeout(function () { show(true); }, pages[name].refresh); }
    }, function (e) {
      if (current() !== name) { return; }
      render([h("h1", {text: name}), h("p", {"class": "muted", text: "Could not load this page."})]);
      page.setAttribute("data-page", name);
      page.removeAttribute("data-loading");
      fail(e);
    });
  }

  function start() {
    document.getElementById("who").textContent = me.user + " (" + me.role + ")";
    if (me.must_change_password) { render(passwordPage()); return; }
    show();
  }

  window.addEventListener("hashchange", function () { messageBox.hidden = true; show(); });
  document.getElementById("logout").addEventListener("click", function () {
    api("POST", "/auth/logout").then(function () { location.href = "/dashboard/login.html"; }, function () { location.href = "/dashboard/login.html"; });
  });
  api("GET", "/auth/me").then(function (res) { me = res; start(); }, function () { location.href = "/dashboard/login.html"; });
})();
