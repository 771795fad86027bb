// Draws an access graph with Cytoscape (served locally, no CDN).
//
// Readable at 30+ nodes: layered left to right (principals → groups → policies → resources),
// node names wrapped under their node with a background, edge labels hidden until a node or
// edge is selected (their statements are listed beside the graph instead of piled on the
// lines), and groups collapsible into one node with a member count.
document.addEventListener("DOMContentLoaded", async () => {
  const container = document.getElementById("access-graph");
  if (!container || typeof cytoscape === "undefined") return;
  // cytoscape-svg registers itself when it finds the global cytoscape; only if it did not:
  if (typeof cytoscapeSvg !== "undefined" && !cytoscape("core", "svg")) cytoscape.use(cytoscapeSvg);
  const response = await fetch(container.dataset.graphUrl, { credentials: "same-origin" });
  if (!response.ok) { container.textContent = "The graph could not be loaded."; return; }
  const data = await response.json();
  const details = document.getElementById("access-graph-details");
  const colours = { resource: "#0d6efd", admins: "#dc3545", user: "#198754", role: "#6f42c1",
                    group: "#fd7e14", policy: "#6c757d" };
  // Columns from left to right: who, through which group, which policy, on what.
  const rank = { admins: 0, user: 0, role: 0, group: 1, policy: 2, resource: 3 };
  const edgeCount = (label) => (label ? label.split("\n").length : 0);
  const cy = cytoscape({
    container,
    wheelSensitivity: 0.3,
    elements: [
      ...data.nodes.map((n) => ({ data: { ...n } })),
      ...data.edges.map((e, i) => ({
        data: { id: `e${i}`, ...e, short: edgeCount(e.label) > 1 ? String(edgeCount(e.label)) : "" },
      })),
    ],
    style: [
      { selector: "node", style: {
        label: "data(label)", "background-color": (n) => colours[n.data("type")] || "#999",
        color: "#212529", "font-size": 11, "text-valign": "bottom", "text-halign": "center",
        "text-margin-y": 4, "text-wrap": "ellipsis", "text-max-width": 160, width: 24, height: 24,
        "text-background-color": "#fff", "text-background-opacity": 0.9, "text-background-padding": 2,
        "text-background-shape": "roundrectangle" } },
      { selector: "node[type = 'resource']", style: { shape: "round-rectangle", width: 34, height: 34 } },
      // "tag", not "round-tag": cytoscape-svg cannot export round-* polygons after a label.
      { selector: "node[type = 'policy']", style: { shape: "tag" } },
      { selector: "node.collapsed", style: { "border-width": 3, "border-color": "#212529", width: 32, height: 32 } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#ffc107" } },
      // Edges carry only a count of statements (when more than one); the statements
      // themselves appear when an end is selected.
      { selector: "edge", style: {
        label: "data(short)", "font-size": 9, "curve-style": "bezier", "target-arrow-shape": "triangle",
        width: 1.2, "line-color": "#ced4da", "target-arrow-color": "#ced4da", color: "#495057",
        "text-background-color": "#fff", "text-background-opacity": 0.9, "text-background-padding": 1 } },
      { selector: "edge.highlighted", style: {
        label: "data(label)", "text-wrap": "wrap", "text-max-width": 260, "font-size": 10,
        width: 2.5, "line-color": "#0d6efd", "target-arrow-color": "#0d6efd", "z-index": 10,
        "text-rotation": "none", "text-background-opacity": 1 } },
      { selector: "node.dimmed, edge.dimmed", style: { opacity: 0.25 } },
    ],
    layout: { name: "preset" },
  });

  function layout() {
    // Breadth-first by rank, turned on its side: columns left to right, rows spread evenly.
    const visible = cy.elements(":visible");
    const columns = {};
    visible.nodes().forEach((n) => {
      const r = rank[n.data("type")] ?? 1;
      (columns[r] = columns[r] || []).push(n);
    });
    const height = Math.max(...Object.values(columns).map((c) => c.length), 1);
    const rowGap = 56;
    // Tall enough that names stay at their size: the page scrolls, the graph does not shrink.
    container.style.height = `${Math.max(420, Math.min(2400, height * rowGap + 80))}px`;
    cy.resize();
    // Columns spread over the container's width, so names keep their size (zoom about 1).
    const ranks = Object.keys(columns).map(Number).sort((a, b) => a - b);
    const colGap = Math.max(170, (container.clientWidth - 180) / Math.max(ranks.length - 1, 1));
    ranks.forEach((r, column) => {
      const nodes = columns[r];
      nodes.sort((a, b) => String(a.data("label")).localeCompare(String(b.data("label"))));
      const offset = ((height - nodes.length) * rowGap) / 2;
      nodes.forEach((n, i) => n.position({ x: column * colGap, y: offset + i * rowGap }));
    });
    cy.fit(visible, 30);
    if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(visible); }
    container.dataset.visible = String(visible.nodes().length);
  }

  function clearFocus() {
    cy.elements().removeClass("highlighted dimmed");
    if (details) details.innerHTML = '<p class="text-body-secondary mb-0">Select a node to see the statements that connect it.</p>';
  }

  function focus(element) {
    cy.elements().removeClass("highlighted").addClass("dimmed");
    const edges = element.isNode() ? element.connectedEdges() : element;
    const ends = edges.connectedNodes().union(element.isNode() ? element : element.connectedNodes());
    edges.removeClass("dimmed").addClass("highlighted");
    ends.removeClass("dimmed");
    if (!details) return;
    const list = document.createElement("ul");
    list.className = "list-unstyled small mb-0";
    edges.forEach((edge) => {
      const item = document.createElement("li");
      item.className = "mb-2";
      const head = document.createElement("div");
      head.className = "fw-semibold";
      head.textContent = `${edge.source().data("label")} → ${edge.target().data("label")}`;
      item.appendChild(head);
      String(edge.data("label") || "").split("\n").forEach((line) => {
        const row = document.createElement("div");
        row.className = "font-monospace-sm text-break";
        row.textContent = line;
        item.appendChild(row);
      });
      list.appendChild(item);
    });
    const title = document.createElement("p");
    title.className = "fw-semibold mb-1";
    title.textContent = element.isNode() ? (element.data("arn") || element.data("label")) : "Edge";
    details.replaceChildren(title, list);
  }

  // Collapse a group: its members disappear into it, and it shows how many they are.
  function setCollapsed(group, collapsed) {
    const members = group.incomers("node").filter((n) => n.outgoers("node").every((t) => t.same(group)));
    if (!members.length) return;
    members.style("display", collapsed ? "none" : "element");
    group.toggleClass("collapsed", collapsed);
    group.data("label", collapsed ? `${group.data("name")} (+${members.length})` : group.data("name"));
  }
  cy.nodes("[type = 'group']").forEach((g) => g.data("name", g.data("label")));

  cy.on("tap", "node, edge", (event) => focus(event.target));
  cy.on("tap", (event) => { if (event.target === cy) clearFocus(); });
  cy.on("dbltap", "node[type = 'group']", (event) => {
    setCollapsed(event.target, !event.target.hasClass("collapsed"));
    layout();
  });

  document.querySelectorAll("[data-graph-collapse]").forEach((button) => {
    button.addEventListener("click", () => {
      const collapse = button.dataset.graphCollapse === "groups";
      cy.nodes("[type = 'group']").forEach((g) => setCollapsed(g, collapse));
      layout();
    });
  });
  document.querySelectorAll("[data-graph-fit]").forEach((button) => {
    button.addEventListener("click", () => cy.fit(cy.elements(":visible"), 30));
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
  // A large graph starts with its groups collapsed; every group can be opened again.
  if (cy.nodes().length > 40) cy.nodes("[type = 'group']").forEach((g) => setCollapsed(g, true));
  layout();
  clearFocus();
  container.dataset.nodes = String(cy.nodes().length);
  container.dataset.ready = "true";
});
