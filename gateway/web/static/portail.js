/* The portal's enhancements. Every page works without this file: it focuses the error
   summary, adds "copy" buttons, draws charts beside their tables (ECharts, served by the
   gateway) with PNG and SVG export, and re-runs after an htmx swap. */
(function () {
  "use strict";

  var numberFormat = new Intl.NumberFormat("fr-FR");
  var PALETTE = ["#1f4e8c", "#b35900", "#2e7d4f", "#5a3b87", "#8c2d19", "#3c6e71"];

  function focusSummary(root) {
    var summary = root.querySelector("[data-resume-erreurs]");
    if (summary) { summary.focus(); return true; }
    return false;
  }

  function setUpCopy(root) {
    root.querySelectorAll("[data-copier]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      var source = document.getElementById(button.getAttribute("data-copier"));
      var status = button.parentNode.querySelector("[data-copier-etat]");
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(function () {
          if (status) { status.textContent = "Commande copiée dans le presse-papiers."; }
        }, function () {
          if (status) { status.textContent = "Copie impossible : sélectionnez la commande pour la copier."; }
        });
      });
    });
  }

  function chartOption(data) {
    var many = data.series.length > 1;
    return {
      animation: false,
      color: PALETTE,
      // Patterns as well as colours: years are told apart without relying on colour alone.
      aria: { enabled: many, label: { enabled: false }, decal: { show: many } },
      textStyle: { fontFamily: "system-ui, sans-serif", color: "#1b1b1b" },
      legend: { show: many, top: 0 },
      grid: { left: 8, right: 48, top: many ? 36 : 12, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          if (p.data && p.data.secret) { return p.name + " — " + p.seriesName + " : s (secret statistique)"; }
          return p.name + " — " + p.seriesName + " : " + numberFormat.format(p.value) + " " + data.unite;
        }
      },
      xAxis: { type: "value", splitNumber: 3,
               axisLabel: { hideOverlap: true, formatter: function (v) { return numberFormat.format(v); } } },
      yAxis: { type: "category", inverse: true, data: data.territoires, axisLabel: { width: 180, overflow: "truncate" } },
      series: data.series.map(function (serie) {
        return {
          type: "bar",
          name: serie.nom,
          data: serie.valeurs.map(function (value, i) {
            if (serie.symboles[i] === "s") {
              // A secret cell: no bar, the symbol where the bar would start; never a zero.
              return { value: 0, secret: true, itemStyle: { color: "transparent" },
                       label: { show: true, formatter: "s", position: "right", fontWeight: "bold",
                                color: "#1b1b1b", opacity: 1 } };
            }
            return value === null ? "-" : value;
          })
        };
      })
    };
  }

  function download(name, url) {
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function exportButton(label, onClick) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "bouton bouton--secondaire";
    button.textContent = label;
    button.addEventListener("click", onClick);
    return button;
  }

  function drawCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-graphique]").forEach(function (figure) {
      var source = document.getElementById(figure.getAttribute("data-graphique"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      if (!data.territoires.length) { return; }
      var canvas = figure.querySelector(".graphique__dessin");
      var height = Math.max(240, data.territoires.length * (18 + 12 * data.series.length) + 60);
      canvas.style.height = height + "px";
      figure.hidden = false;
      var option = chartOption(data);
      var chart = window.echarts.init(canvas, null, { renderer: "svg" });
      chart.setOption(option);
      addExports(figure, chart, option, data.titre || "socle");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // The export buttons of a drawn chart: PNG (a canvas twin, twice the resolution) and SVG.
  function addExports(figure, chart, option, title) {
    var canvas = figure.querySelector(".graphique__dessin");
    var name = "graphique-" + title.toLowerCase().normalize("NFD").replace(/[^a-z0-9]+/g, "-");
    figure.querySelector(".graphique__actions").replaceChildren(
      exportButton("Télécharger le graphique (PNG)", function () {
        var twin = document.createElement("div");
        twin.style.cssText = "position:absolute;left:-10000px;width:" + canvas.clientWidth + "px;height:" + canvas.clientHeight + "px";
        document.body.appendChild(twin);
        var raster = window.echarts.init(twin, null, { renderer: "canvas" });
        raster.setOption(option);
        download(name + ".png", raster.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" }));
        raster.dispose();
        twin.remove();
      }),
      exportButton("Télécharger le graphique (SVG)", function () {
        var svg = chart.renderToSVGString();
        download(name + ".svg", URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" })));
      })
    );
  }

  // What other scripts of the portal reuse (static/imaje.js): the bar chart and the exports.
  window.Portail = { barOption: chartOption, addExports: addExports, palette: PALETTE, numberFormat: numberFormat };

  function enhance(root, focus) {
    setUpCopy(root);
    drawCharts(root);
    if (focus && !focusSummary(root)) {
      var heading = root.querySelector("#resultats-titre");
      if (heading) { heading.focus(); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document, false);
    focusSummary(document);
  });
  // htmx replaced the page's content: enhance the new content and move the focus to it.
  document.addEventListener("htmx:after:settle", function (event) {
    var target = document.getElementById("contenu") || document;
    enhance(target, true);
  });
})();
