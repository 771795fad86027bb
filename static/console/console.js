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
});
