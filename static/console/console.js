// Console behaviour that needs script (CSP forbids inline scripts): confirmations and copy.
document.addEventListener("click", (event) => {
  const confirmButton = event.target.closest("[data-confirm]");
  if (confirmButton && !window.confirm(confirmButton.dataset.confirm)) {
    event.preventDefault();
    event.stopPropagation();
  }
  const copyButton = event.target.closest("[data-copy-target]");
  if (copyButton) {
    const source = document.querySelector(copyButton.dataset.copyTarget);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      copyButton.textContent = "Copied";
    }
  }
  // Simulator: copy a context value into the context box (replacing that key's line).
  const override = event.target.closest("[data-context-override]");
  if (override) {
    const box = document.getElementById(override.dataset.target);
    if (box) {
      const key = override.dataset.key;
      const lines = box.value.split("\n").filter((line) => line.trim() && line.split("=")[0].trim() !== key);
      lines.push(`${key}=${override.dataset.value}`);
      box.value = lines.join("\n");
      box.focus();
      box.scrollIntoView({ block: "center" });
    }
  }
});
