// Bar charts drawn as inline SVG from the statistics tables, without any library. A container
// <div data-chart-for="TABLE_ID"> gets a chart of the table's columns listed in the table's
// data-chart-columns (indexes of the cells), one group of bars per body row (the row's <th> is
// the label; a row with data-chart-skip is left out). Each number is read from the cell's
// data-value. The chart repeats the table, which stays the accessible version: it is hidden from
// assistive technologies. No inline styles: SVG presentation attributes only (CSP).
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = ["#0b6e4f", "#0a58ca", "#b35900", "#6f42c1", "#b02a37"];
  var LABEL_WIDTH = 150;
  var BAR_HEIGHT = 14;
  var GAP = 10;
  var WIDTH = 480;

  function el(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      node.setAttribute(key, attributes[key]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function draw(container, table) {
    var columns = (table.dataset.chartColumns || "").split(",").filter(Boolean).map(Number);
    if (!columns.length) {
      return;
    }
    var headers = table.tHead.rows[0].cells;
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return !row.hasAttribute("data-chart-skip");
    });
    var data = rows.map(function (row) {
      return {
        label: row.cells[0].textContent.trim(),
        values: columns.map(function (index) {
          var value = parseFloat(row.cells[index].dataset.value);
          return isNaN(value) ? 0 : value;
        }),
      };
    });
    var max = 0;
    data.forEach(function (d) {
      d.values.forEach(function (v) {
        max = Math.max(max, v);
      });
    });
    var groupHeight = columns.length * BAR_HEIGHT + GAP;
    var legendHeight = columns.length * 18 + 6;
    var height = legendHeight + data.length * groupHeight;
    var plotWidth = WIDTH - LABEL_WIDTH - 50;
    var svg = el("svg", {
      viewBox: "0 0 " + WIDTH + " " + height,
      width: "100%",
      "aria-hidden": "true",
      focusable: "false",
      class: "stats-chart-svg",
    });
    columns.forEach(function (index, i) {
      svg.appendChild(el("rect", { x: 0, y: i * 18, width: 12, height: 12, fill: COLOURS[i % COLOURS.length] }));
      svg.appendChild(el("text", { x: 18, y: i * 18 + 11, "font-size": 12 }, headers[index].textContent.trim()));
    });
    data.forEach(function (d, row) {
      var top = legendHeight + row * groupHeight;
      svg.appendChild(el("text", { x: 0, y: top + BAR_HEIGHT, "font-size": 12 }, shorten(d.label, 24)));
      d.values.forEach(function (value, i) {
        var width = max ? (value / max) * plotWidth : 0;
        var y = top + i * BAR_HEIGHT;
        svg.appendChild(
          el("rect", { x: LABEL_WIDTH, y: y, width: width, height: BAR_HEIGHT - 2, fill: COLOURS[i % COLOURS.length] })
        );
        svg.appendChild(el("text", { x: LABEL_WIDTH + width + 4, y: y + BAR_HEIGHT - 3, "font-size": 11 }, String(value)));
      });
    });
    container.appendChild(svg);
  }

  function drawAll() {
    document.querySelectorAll("[data-chart-for]").forEach(function (container) {
      var table = document.getElementById(container.dataset.chartFor);
      if (table && table.tBodies.length) {
        draw(container, table);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
