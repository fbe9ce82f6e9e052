/* The IMAJE screens' charts (gateway/web/templates/imaje/). Every screen works without this
   file: the table beside each chart carries every value and every "s".

   A history is drawn as lines, one chart per unit. A secret year is never a zero and never
   a bare gap: the solid line stops at the known values around it, a dashed line joins them,
   and a boxed "s" marks the secret year on that dashed line (its height says nothing of the
   masked value: the tooltip and the notes say so). A comparison is drawn as the socle's bars
   (static/portail.js), a secret bar being an "s" without a bar. Each chart is exported as
   PNG and SVG, and printed as an image at the width of an A4 page. */
(function () {
  "use strict";

  var SYMBOLS = ["circle", "triangle", "diamond", "rect", "pin", "roundRect"];
  var MEANINGS = {
    s: "secret statistique : valeur masquée, non fournie",
    so: "sans objet : aucune valeur n’existe"
  };
  var PRINT_WIDTH = 680; // px: the printable width of an A4 page at 96 dpi, 12 mm margins

  function masked(serie, i) {
    return serie.valeurs[i] === null || serie.valeurs[i] === undefined;
  }

  // The dashed bridges over the masked points of one series, and where its "s" marks stand.
  function bridges(serie) {
    var n = serie.valeurs.length;
    var dashed = new Array(n).fill(null);
    var marks = [];
    var i = 0;
    while (i < n) {
      if (!masked(serie, i)) { i += 1; continue; }
      var start = i;
      while (i < n && masked(serie, i)) { i += 1; }
      var before = start > 0 ? serie.valeurs[start - 1] : null;
      var after = i < n ? serie.valeurs[i] : null;
      if (before === null && after === null) { continue; } // nothing known: said in the notes
      for (var k = start; k < i; k += 1) {
        // Evenly between the known values (or level with the only one): a place, not a value.
        var t = (k - start + 1) / (i - start + 1);
        var y = before === null ? after : after === null ? before : before + (after - before) * t;
        dashed[k] = y;
        marks.push(k);
      }
      if (before !== null) { dashed[start - 1] = before; }
      if (after !== null) { dashed[i] = after; }
    }
    return { dashed: dashed, marks: marks };
  }

  function lineOption(data, palette, numberFormat) {
    var series = [];
    data.series.forEach(function (serie, index) {
      var color = palette[index % palette.length];
      var symbol = SYMBOLS[index % SYMBOLS.length];
      series.push({
        type: "line", name: serie.nom, color: color, symbol: symbol, symbolSize: 9,
        connectNulls: false, lineStyle: { width: 2.5 }, z: 3,
        data: serie.valeurs.map(function (v, i) { return masked(serie, i) ? null : v; })
      });
      var bridge = bridges(serie);
      if (!bridge.marks.length) { return; }
      series.push({
        type: "line", name: serie.nom, color: color, connectNulls: false, z: 2,
        lineStyle: { width: 2, type: "dashed" }, symbol: "none",
        data: bridge.dashed.map(function (y, i) {
          if (y === null || bridge.marks.indexOf(i) < 0) { return y === null ? null : { value: y, symbol: "none" }; }
          var symbolText = serie.symboles[i] || "s";
          return {
            value: y, secret: symbolText, symbol: "rect", symbolSize: [20, 20],
            itemStyle: { color: "#ffffff", borderColor: color, borderWidth: 2 },
            label: { show: true, position: "inside", formatter: symbolText, fontWeight: "bold", color: "#1b1b1b", fontSize: 13 }
          };
        })
      });
    });
    var many = data.series.length > 1;
    return {
      animation: false,
      textStyle: { fontFamily: "system-ui, sans-serif", color: "#1b1b1b" },
      legend: { show: many, top: 0, left: 0, data: data.series.map(function (s) { return s.nom; }) },
      grid: { left: 8, right: 24, top: many ? 64 : 36, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var year = data.annees[p.dataIndex];
          if (p.data && p.data.secret) {
            return p.seriesName + " — " + year + " : " + p.data.secret + " (" + (MEANINGS[p.data.secret] || "valeur non fournie") +
              ") ; les pointillés relient les valeurs connues, ils ne donnent pas la valeur";
          }
          return p.seriesName + " — " + year + " : " + numberFormat.format(p.value) + " " + data.unite;
        }
      },
      xAxis: { type: "category", data: data.annees, boundaryGap: false },
      yAxis: { type: "value", name: data.unite, nameTextStyle: { align: "left" },
               axisLabel: { formatter: function (v) { return numberFormat.format(v); } } },
      series: series
    };
  }

  // The socle's bars, with room for the sides' long labels ("Zone d’étude : ...").
  function barOption(portail, data) {
    var option = portail.barOption(data);
    option.yAxis.axisLabel = { width: 260, overflow: "break", lineHeight: 16 };
    option.series.forEach(function (serie) { serie.barMaxWidth = 40; });
    return option;
  }

  // Series without any known value cannot be drawn: the figure says so in words.
  function notes(data) {
    return data.series.filter(function (serie) {
      return serie.valeurs.every(function (v, i) { return masked(serie, i); });
    }).map(function (serie) {
      return serie.nom + " : aucune valeur diffusable sur la période (toutes les années sont « s » dans le tableau), aucune courbe n’est tracée.";
    });
  }

  function heightOf(data) {
    if (data.type === "barres") {
      return Math.max(200, data.territoires.length * (28 + 14 * data.series.length) + 60);
    }
    return data.series.length > 3 ? 380 : 320;
  }

  // The chart as the printed page shows it: an SVG image drawn at the width of an A4 page.
  function printImage(figure, option, height) {
    var image = figure.querySelector(".graphique__image");
    if (!image) { return; }
    var twin = document.createElement("div");
    twin.style.cssText = "position:absolute;left:-10000px;width:" + PRINT_WIDTH + "px;height:" + height + "px";
    document.body.appendChild(twin);
    var vector = window.echarts.init(twin, null, { renderer: "svg" });
    vector.setOption(option);
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(vector.renderToSVGString());
    vector.dispose();
    twin.remove();
  }

  function draw(root) {
    var portail = window.Portail;
    if (!window.echarts || !portail) { return; }
    root.querySelectorAll("[data-graphique-imaje]").forEach(function (figure) {
      var source = document.getElementById(figure.getAttribute("data-graphique-imaje"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      if (!data.series.length) { return; }
      var canvas = figure.querySelector(".graphique__dessin");
      var height = heightOf(data);
      canvas.style.height = height + "px";
      figure.hidden = false;
      var option = data.type === "barres" ? barOption(portail, data) : lineOption(data, portail.palette, portail.numberFormat);
      var chart = window.echarts.init(canvas, null, { renderer: "svg" });
      chart.setOption(option);
      var said = data.type === "barres" ? [] : notes(data);
      var holder = figure.querySelector("[data-notes]");
      if (holder) { holder.textContent = said.join(" "); holder.hidden = !said.length; }
      portail.addExports(figure, chart, option, data.titre || "imaje");
      printImage(figure, option, height);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
