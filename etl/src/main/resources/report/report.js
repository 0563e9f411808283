// Draws the report's charts from REPORT (the numbers the tables show), with Chart.js inlined above.
(function () {
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  const palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22"];
  const dates = REPORT.dates.map(d => d.date);
  const anomalous = REPORT.dates.map(d => d.anomaly !== null);
  const charts = [];
  charts.push(new Chart(document.getElementById("dates-chart"), {
    data: {
      labels: dates,
      datasets: [{
        type: "line", label: "listens", yAxisID: "listens", borderColor: "#222",
        data: REPORT.dates.map(d => d.listens),
        pointRadius: anomalous.map(a => (a ? 7 : 2)),
        pointBackgroundColor: anomalous.map(a => (a ? "#d62728" : "#222")),
      }].concat(REPORT.reasons.map((reason, i) => ({
        type: "bar", label: "quarantined: " + reason, yAxisID: "quarantined", stack: "q",
        backgroundColor: palette[i % palette.length],
        data: REPORT.dates.map(d => d.quarantined[reason] || 0),
      }))),
    },
    options: {
      scales: {
        listens: { position: "left", beginAtZero: true, title: { display: true, text: "listens" } },
        quarantined: { position: "right", beginAtZero: true, stacked: true,
          grid: { drawOnChartArea: false }, title: { display: true, text: "quarantined lines" } },
        x: { stacked: true },
      },
    },
  }));
  const weeks = REPORT.weeks.map(w => w.week);
  charts.push(new Chart(document.getElementById("stages-chart"), {
    type: "bar",
    data: {
      labels: weeks,
      datasets: REPORT.stages.map((stage, i) => ({
        label: stage, backgroundColor: palette[i], data: REPORT.weeks.map(w => w.seconds[stage] || 0),
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "seconds" } } } },
  }));
  charts.push(new Chart(document.getElementById("ndcg-chart"), {
    type: "line",
    data: {
      labels: weeks,
      datasets: [
        { label: "ALS", borderColor: palette[0], backgroundColor: palette[0], data: REPORT.weeks.map(w => w.als) },
        { label: "popularity", borderColor: palette[1], backgroundColor: palette[1], data: REPORT.weeks.map(w => w.popularity) },
      ],
    },
    options: { spanGaps: false, scales: { y: { beginAtZero: true, title: { display: true, text: "NDCG" } } } },
  }));
  charts.push(new Chart(document.getElementById("served-chart"), {
    type: "bar",
    data: { labels: weeks, datasets: [{ label: "playlists served", backgroundColor: palette[2], data: REPORT.weeks.map(w => w.served || 0) }] },
    options: { scales: { y: { beginAtZero: true } } },
  }));
  document.body.dataset.charts = String(charts.length);
})();
