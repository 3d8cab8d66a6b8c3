/**
 * The widget script the stand-in serves at `/turnstile/v0/api.js`: Turnstile's explicit render
 * API (`turnstile.render(container, { sitekey, callback, "error-callback", "expired-callback" })`,
 * `reset`, `remove`, `getResponse`, `isExpired`, `ready`, the `?onload=` callback, and implicit
 * rendering of `.cf-turnstile` elements unless `?render=explicit`). It draws a small box, no
 * iframe, and answers as Cloudflare's test sitekeys do. Plain DOM, no inline script or style
 * element, so it runs under the SPA's Content-Security-Policy.
 */
export const WIDGET_SCRIPT = String.raw`(function () {
  "use strict";
  var DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
  var widgets = {};
  var counter = 0;
  var current = document.currentScript;
  var query = current && current.src ? new URL(current.src).searchParams : new URLSearchParams();

  function element(tag, style, text) {
    var node = document.createElement(tag);
    for (var key in style) node.style[key] = style[key];
    if (text) node.textContent = text;
    return node;
  }

  function call(fn, value) {
    if (typeof fn === "function") fn(value);
    else if (typeof fn === "string" && typeof window[fn] === "function") window[fn](value);
  }

  function settle(widget, outcome) {
    widget.label.textContent = outcome === "pass" ? "Success!" : outcome === "fail" ? "Verification failed" : "Verify you are human";
    widget.mark.textContent = outcome === "pass" ? "\u2714" : outcome === "fail" ? "\u2716" : "";
    widget.mark.style.color = outcome === "pass" ? "#15803d" : "#b91c1c";
    widget.box.setAttribute("data-state", outcome);
    if (outcome === "pass") {
      widget.token = DUMMY_TOKEN;
      widget.input.value = DUMMY_TOKEN;
      call(widget.params.callback, DUMMY_TOKEN);
    } else if (outcome === "fail") {
      widget.token = "";
      widget.input.value = "";
      call(widget.params["error-callback"], "600010");
    }
  }

  function start(widget) {
    var sitekey = String(widget.params.sitekey || "");
    widget.token = "";
    widget.input.value = "";
    widget.label.textContent = "Verifying\u2026";
    widget.mark.textContent = "";
    widget.box.setAttribute("data-state", "pending");
    if (/^3x0+FF$/.test(sitekey)) {
      settle(widget, "ask");
      return;
    }
    var outcome = /^1x0+AA$/.test(sitekey) ? "pass" : "fail";
    widget.timer = setTimeout(function () { settle(widget, outcome); }, 150);
  }

  function resolve(container) {
    var node = typeof container === "string" ? document.querySelector(container) : container;
    if (!node) throw new Error("turnstile.render: no such container " + String(container));
    return node;
  }

  function render(container, params) {
    var node = resolve(container);
    params = params || {};
    if (!params.sitekey && node.getAttribute) {
      params = {
        sitekey: node.getAttribute("data-sitekey"),
        callback: node.getAttribute("data-callback") || undefined,
        "error-callback": node.getAttribute("data-error-callback") || undefined,
        "expired-callback": node.getAttribute("data-expired-callback") || undefined,
      };
    }
    counter += 1;
    var id = "cf-chl-widget-local" + counter;
    var box = element("div", {
      display: "flex", alignItems: "center", gap: "12px", width: "300px", maxWidth: "100%", height: "65px",
      boxSizing: "border-box", padding: "0 14px", border: "1px solid #d1d5db", borderRadius: "4px",
      background: "#fafafa", fontFamily: "system-ui, sans-serif", fontSize: "14px", color: "#1f2937", cursor: "default",
    });
    box.id = id;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Bot check (local Turnstile stand-in)");
    var mark = element("span", { display: "inline-flex", alignItems: "center", justifyContent: "center", width: "24px", height: "24px", border: "2px solid #9ca3af", borderRadius: "4px", fontSize: "16px" });
    var label = element("span", { flex: "1" });
    var brand = element("span", { fontSize: "10px", color: "#6b7280", textAlign: "right", lineHeight: "1.2" }, "Turnstile\nlocal stand-in");
    brand.style.whiteSpace = "pre-line";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = params["response-field-name"] || "cf-turnstile-response";
    box.appendChild(mark);
    box.appendChild(label);
    box.appendChild(brand);
    if (params["response-field"] !== false) box.appendChild(input);
    node.appendChild(box);
    var widget = { id: id, box: box, mark: mark, label: label, input: input, params: params, token: "", timer: 0 };
    box.addEventListener("click", function () {
      if (box.getAttribute("data-state") === "ask") settle(widget, "pass");
    });
    widgets[id] = widget;
    start(widget);
    return id;
  }

  function find(id) {
    if (id === undefined) {
      for (var key in widgets) return widgets[key];
      return undefined;
    }
    return widgets[id];
  }

  window.turnstile = {
    render: render,
    reset: function (id) {
      var widget = find(id);
      if (!widget) return;
      clearTimeout(widget.timer);
      start(widget);
    },
    remove: function (id) {
      var widget = find(id);
      if (!widget) return;
      clearTimeout(widget.timer);
      widget.box.remove();
      delete widgets[widget.id];
    },
    getResponse: function (id) {
      var widget = find(id);
      return widget ? widget.token : undefined;
    },
    isExpired: function () {
      return false;
    },
    ready: function (fn) {
      fn();
    },
    execute: function (container) {
      var widget = typeof container === "string" && widgets[container] ? widgets[container] : undefined;
      if (widget) start(widget);
    },
  };

  if (query.get("render") !== "explicit") {
    var implicit = document.querySelectorAll(".cf-turnstile");
    for (var i = 0; i < implicit.length; i++) render(implicit[i]);
  }
  var onload = query.get("onload");
  if (onload && typeof window[onload] === "function") window[onload]();
})();
`;
