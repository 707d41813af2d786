/* Baoxue's only script besides htmx. ES2015 so it runs on Chrome 70 era browsers.
   Shows server and network errors of htmx requests in the message area; the page and
   anything typed into it stay as they were. */
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
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 && xhr.responseText
      ? xhr.responseText
      : "操作没有成功（错误 " + xhr.status + "），请稍后重试。";
    show(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    show("网络连接失败，操作没有完成。请检查网络后重试，已填写的内容仍在页面上。", "error");
  });
  document.addEventListener("htmx:timeout", function () {
    show("服务器响应超时，请稍后重试。", "error");
  });
  /* A fresh page (not an error) clears the old message. */
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var box = document.getElementById("messages");
    if (box && evt.detail.boosted) { box.innerHTML = ""; }
  });
})();
