/* Baoxue's only script besides htmx. ES2015 so it runs on Chrome 70 era browsers.
   Shows the server's messages and network errors of htmx requests in the message area; the
   page and anything typed into it stay as they were (responses.py: the response contract). */
(function () {
  "use strict";
  function show(text, kind) {
    var box = document.getElementById("messages");
    if (!box) { window.alert(text); return; }
    var p = document.createElement("p");
    p.className = "msg " + (kind || "error");
    p.textContent = text;
    box.innerHTML = "";
    box.appendChild(p);
    box.scrollIntoView({block: "nearest"});
  }
  /* The server's messages (responses.message_response) come as text/plain, whatever their
     status: shown here, never swapped into the page. */
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/plain") !== 0) { return; }
    evt.detail.shouldSwap = false;
    evt.detail.isError = false;
    show(xhr.responseText || "操作没有成功，请稍后重试。", xhr.status >= 400 ? "error" : "success");
  });
  /* Any other failure (a proxy's error page, a crash before Baoxue answered). */
  document.addEventListener("htmx:responseError", function (evt) {
    show("操作没有成功（错误 " + evt.detail.xhr.status + "），请稍后重试。", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    show("网络连接失败，操作没有完成。请检查网络后重试，已填写的内容仍在页面上。", "error");
  });
  document.addEventListener("htmx:timeout", function () {
    show("服务器响应超时，请稍后重试。", "error");
  });
  /* The attendance grid: a mark's reason is for that one mark, so the box clears after it.
     (requestConfig.elt: the clicked cell, even when the answer replaced the whole table.) */
  document.addEventListener("htmx:afterRequest", function (evt) {
    var config = evt.detail.requestConfig;
    var elt = config && config.elt;
    if (!evt.detail.successful || !elt || elt.name !== "cell") { return; }
    var reason = document.querySelector("#mark-mode input[name=reason]");
    if (reason) { reason.value = ""; }
  });
  /* The monthly meeting on a projector (meetings/present.html): arrow keys and a presenter's
     clicker (PageUp/PageDown) turn the pages; 全屏 asks the browser for the whole screen. */
  document.addEventListener("keydown", function (evt) {
    var key = {ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev"}[evt.key];
    var target = evt.target && evt.target.tagName;
    if (!key || target === "INPUT" || target === "TEXTAREA" || target === "SELECT") { return; }
    var link = document.querySelector(".present-nav a[data-key=" + key + "]");
    if (link) { evt.preventDefault(); link.click(); }
  });
  function fullscreenButton() {
    var button = document.querySelector("[data-fullscreen]");
    if (!button || !document.documentElement.requestFullscreen) { return; }
    button.hidden = !!document.fullscreenElement;
    button.onclick = function () { document.documentElement.requestFullscreen(); };
  }
  document.addEventListener("DOMContentLoaded", fullscreenButton);
  document.addEventListener("htmx:load", fullscreenButton);
  document.addEventListener("fullscreenchange", fullscreenButton);
  /* A form htmx does not send (an upload, hx-boost="false") is sent once: a second submit
     within a few seconds is ignored (a double-click on 保存 sent two 家访 at once, both saved).
     Not for good: a form that downloads a file leaves the page as it was, to be sent again. */
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented) { return; }
    if (form.getAttribute("data-sent")) { evt.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    window.setTimeout(function () { form.removeAttribute("data-sent"); }, 3000);
  });
  /* A form is sent once: its submit buttons are disabled while htmx sends it (a reviewer's
     double-click made two 资助项目), and stay so when the answer leads elsewhere (HX-Location,
     HX-Redirect: the saved form stays on screen until the next page comes, and a busy machine's
     second click sent it again). hx-disabled-elt on <body> did it for forms, but htmx logs
     an error for every link it finds no button in. */
  function buttons(evt) {
    var elt = evt.detail.elt;
    return elt && elt.tagName === "FORM" ? elt.querySelectorAll("[type=submit]") : [];
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    Array.prototype.forEach.call(buttons(evt), function (b) { b.disabled = true; });
  });
  function leaving(xhr) {
    return xhr && (xhr.getResponseHeader("HX-Location") || xhr.getResponseHeader("HX-Redirect"));
  }
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (leaving(evt.detail.xhr)) { return; }
    Array.prototype.forEach.call(buttons(evt), function (b) { b.disabled = false; });
  });
  /* The error page of a form sent from its own address (a file too large): 返回 goes back in
     the browser's history, where the form still holds what was typed. */
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-back]");
    if (link && window.history.length > 1) { evt.preventDefault(); window.history.back(); }
  });
  /* A fresh page (not an error) clears the old message. */
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var box = document.getElementById("messages");
    if (box && evt.detail.boosted) { box.innerHTML = ""; }
  });
})();
