// Network map enhancements: drag a person to another ring/sector, zoom, print.
// The map works without this file: every person is a link, and the list view has keyboard buttons to move people.
// The same geometry as kreds/network/layout.py; the ring edges come from the drawing (<svg data-ring-edges>): a
// crowded ring is wider, so they change with the map.
function cellFor(x, y, sectors, edges) {
  const radius = Math.hypot(x, y);
  const ring = radius < edges[1] ? 1 : radius < edges[2] ? 2 : 3;
  let angle = Math.atan2(x, -y);
  if (angle < 0) angle += 2 * Math.PI;
  const index = Math.min(sectors.length - 1, Math.floor(angle / ((2 * Math.PI) / sectors.length)));
  return { sector: sectors[index], ring };
}

function svgPoint(svg, event) {
  const point = svg.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  return point.matrixTransform(svg.getScreenCTM().inverse());
}

function enableZoom(wrap) {
  const controls = wrap.parentElement.querySelector("[data-zoom-controls]");
  if (!controls) return;
  controls.hidden = false;
  const initial = () => wrap.querySelector("svg").getAttribute("data-initial-viewbox") || wrap.querySelector("svg").getAttribute("viewBox");
  controls.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-zoom]");
    if (!button) return;
    const svg = wrap.querySelector("svg");
    if (!svg.hasAttribute("data-initial-viewbox")) svg.setAttribute("data-initial-viewbox", svg.getAttribute("viewBox"));
    let [x, y, w, h] = svg.getAttribute("viewBox").split(/\s+/).map(Number);
    const factor = button.dataset.zoom === "in" ? 0.8 : button.dataset.zoom === "out" ? 1.25 : null;
    if (factor === null) {
      svg.setAttribute("viewBox", initial());
      return;
    }
    const cx = x + w / 2;
    const cy = y + h / 2;
    w *= factor;
    h *= factor;
    svg.setAttribute("viewBox", `${cx - w / 2} ${cy - h / 2} ${w} ${h}`);
  });
}

function enableDrag(wrap) {
  if (wrap.dataset.canEdit !== "1") return;
  const sectors = wrap.dataset.sectors.split(",");
  const token = wrap.querySelector("input[name=csrfmiddlewaretoken]").value;
  let drag = null;

  wrap.addEventListener("pointerdown", (event) => {
    const node = event.target.closest("g.node");
    if (!node || event.button !== 0) return;
    const svg = wrap.querySelector("svg");
    const start = svgPoint(svg, event);
    drag = { node, svg, start, moved: false };
    node.setPointerCapture(event.pointerId);
  });
  wrap.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const point = svgPoint(drag.svg, event);
    if (!drag.moved && Math.hypot(point.x - drag.start.x, point.y - drag.start.y) < 6) return;
    drag.moved = true;
    drag.point = point;
    drag.node.setAttribute("transform", `translate(${point.x} ${point.y})`);
    drag.node.classList.add("dragging");
  });
  wrap.addEventListener("pointerup", async () => {
    if (!drag) return;
    const { node, moved, point } = drag;
    drag = null;
    if (!moved) return;
    const edges = wrap.querySelector("svg").dataset.ringEdges.split(",").map(Number);
    const cell = cellFor(point.x, point.y, sectors, edges);
    const body = new URLSearchParams({ ring: String(cell.ring), sektor: cell.sector });
    const url = wrap.dataset.moveUrlTemplate.replace("PERSON", node.dataset.person);
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": token, "HX-Request": "true" },
      credentials: "same-origin",
    });
    if (response.ok) {
      wrap.querySelector("svg").outerHTML = await response.text();
      const status = document.getElementById("map-status");
      if (status) status.textContent = status.dataset.moved;
    } else {
      window.location.reload();
    }
  });
  // A drag must not also follow the person's link.
  wrap.addEventListener("click", (event) => {
    if (event.target.closest("g.node.dragging")) event.preventDefault();
  }, true);
}

// Clicking a person opens their details in the side panel (the link still works without JavaScript).
function enableSidePanel(wrap) {
  const panel = document.getElementById("side-panel");
  if (!panel || !window.htmx) return;
  wrap.addEventListener("click", (event) => {
    // With pointer capture (for dragging) the click may be reported on the node group, not its link.
    const node = event.target.closest("g.node");
    const link = node && node.querySelector("a");
    if (!link || event.defaultPrevented || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    panelOpener = link;
    window.htmx.ajax("GET", link.getAttribute("href"), { target: panel });
  });
}

// The panel lies over the right edge of the page; "Close" or Escape empties it and puts focus back on the person.
let panelOpener = null;
function closePanel() {
  const panel = document.getElementById("side-panel");
  if (!panel || !panel.firstElementChild) return;
  panel.replaceChildren();
  if (panelOpener && document.contains(panelOpener)) panelOpener.focus();
}
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-close-panel]")) closePanel();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") closePanel();
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "side-panel") {
    const title = document.getElementById("panel-title");
    if (title) title.focus();
  }
});

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("kreds-has-js");
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  for (const wrap of document.querySelectorAll(".kreds-map-wrap")) {
    enableZoom(wrap);
    enableDrag(wrap);
    enableSidePanel(wrap);
  }
});
