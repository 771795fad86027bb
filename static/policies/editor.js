// The policy editor (CSP forbids inline scripts): keeps the line gutter in step with the
// textarea, takes a finding's "Line N" link to that line, and lets htmx show the 403 answer
// (AWS's message) when the principal may not call access-analyzer:ValidatePolicy.
(() => {
  const MIN_ROWS = 18;
  let currentLine = null;

  const editorText = () => document.querySelector("textarea.editor-text");

  function syncGutter(textarea) {
    const lines = textarea.value.split("\n").length;
    textarea.rows = Math.max(MIN_ROWS, lines + 1);
    const gutter = document.getElementById("editor-gutter");
    if (!gutter) return;
    let count = gutter.children.length;
    while (count < lines) {
      count += 1;
      const number = document.createElement("span");
      number.id = `L${count}`;
      number.textContent = String(count);
      gutter.appendChild(number);
    }
    while (count > lines) {
      gutter.lastElementChild.remove();
      count -= 1;
    }
  }

  function markCurrent() {
    document.querySelectorAll("#editor-gutter .is-current").forEach((el) => el.classList.remove("is-current"));
    const mark = currentLine && document.getElementById(`L${currentLine}`);
    if (mark) mark.classList.add("is-current");
    return mark;
  }

  function selectLine(textarea, line) {
    const lines = textarea.value.split("\n");
    const number = Math.min(Math.max(line, 1), lines.length);
    let start = 0;
    for (let i = 0; i < number - 1; i += 1) start += lines[i].length + 1;
    const text = lines[number - 1];
    const indent = text.length - text.trimStart().length;
    textarea.focus({ preventScroll: true });
    textarea.setSelectionRange(start + indent, start + text.length);
    currentLine = number;
    const mark = markCurrent();
    if (mark) mark.scrollIntoView({ block: "center" });
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea.editor-text")) syncGutter(event.target);
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-line]");
    const textarea = editorText();
    if (!link || !textarea) return; // read-only pages: the #L anchor alone highlights
    event.preventDefault();
    selectLine(textarea, Number(link.dataset.line));
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (event.detail.xhr.status === 403 && target && target.id === "editor-findings") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The server re-renders the gutter with each answer; keep the chosen line highlighted.
  document.addEventListener("htmx:oobAfterSwap", markCurrent);

  const init = () => {
    const textarea = editorText();
    if (textarea) syncGutter(textarea);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
