// Shows why the mail server did not start (set by the window as `window.postroomError`), in
// Simplified Chinese when the system's language is Chinese.
const why = document.getElementById("why");
why.textContent = window.postroomError || "";
if ((navigator.language || "").toLowerCase().startsWith("zh")) {
  document.getElementById("title").textContent = "Postroom 无法启动邮件服务器";
  document.getElementById("hint").textContent =
    "原因如下。请先解决（例如释放被占用的端口，或检查数据文件夹），然后从托盘退出 Postroom 并重新启动。";
}
