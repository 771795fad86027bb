// Draws the access graph of a resource with Cytoscape (served locally, no CDN).
document.addEventListener("DOMContentLoaded", async () => {
  const container = document.getElementById("access-graph");
  if (!container || typeof cytoscape === "undefined") return;
  // cytoscape-svg registers itself when it finds the global cytoscape; only if it did not:
  if (typeof cytoscapeSvg !== "undefined" && !cytoscape("core", "svg")) cytoscape.use(cytoscapeSvg);
  const response = await fetch(container.dataset.graphUrl, { credentials: "same-origin" });
  if (!response.ok) { container.textContent = "The graph could not be loaded."; return; }
  const data = await response.json();
  const colours = { resource: "#0d6efd", admins: "#dc3545", user: "#198754", role: "#6f42c1",
                    group: "#fd7e14", policy: "#6c757d" };
  const cy = cytoscape({
    container,
    elements: [
      ...data.nodes.map((n) => ({ data: { ...n } })),
      ...data.edges.map((e, i) => ({ data: { id: `e${i}`, ...e } })),
    ],
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": (n) => colours[n.data("type")] || "#999",
        color: "#212529", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, width: 26, height: 26 } },
      { selector: "node[type = 'resource']", style: { shape: "round-rectangle", width: 40, height: 40 } },
      // "tag", not "round-tag": cytoscape-svg cannot export round-* polygons after a label.
      { selector: "node[type = 'policy']", style: { shape: "tag" } },
      { selector: "edge", style: { label: "data(label)", "font-size": 9, "curve-style": "bezier",
        "target-arrow-shape": "triangle", width: 1.5, "line-color": "#adb5bd", "target-arrow-color": "#adb5bd",
        "text-rotation": "autorotate", "text-wrap": "wrap", "text-background-color": "#fff",
        "text-background-opacity": 0.85, "text-background-padding": 2 } },
    ],
    layout: { name: "breadthfirst", directed: true, spacingFactor: 1.2, padding: 20 },
  });
  document.querySelectorAll("[data-graph-export]").forEach((button) => {
    button.addEventListener("click", () => {
      const svg = button.dataset.graphExport === "svg";
      const link = document.createElement("a");
      if (svg && cy.svg) {
        const blob = new Blob([cy.svg({ full: true, bg: "#ffffff" })], { type: "image/svg+xml" });
        link.href = URL.createObjectURL(blob);
        link.download = "access-graph.svg";
      } else {
        link.href = cy.png({ full: true, bg: "#ffffff", scale: 2 });
        link.download = "access-graph.png";
      }
      link.click();
    });
  });
  container.dataset.ready = "true";
});
