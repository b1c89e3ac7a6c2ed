/* Runs in the report page (index.html), after Chart.js's UMD bundle. It draws the charts
   from the JSON the writer embedded; everything else on the page is plain HTML, so the
   verdict and findings read fine even with scripts off. No network: data is inline. */
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const Chart = window.Chart;
  const colours = {
    s2xx: '#2e7d32',
    s429: '#f39c12',
    s5xx: '#c62828',
    other: '#7f8c8d',
    errors: '#8e44ad',
    p50: '#1f77b4',
    p90: '#ff7f0e',
    p99: '#d62728',
    classes: '#3f51b5',
  };
  const common = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
  };
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

  for (const phase of data.timelines) {
    const labels = phase.buckets.map((b) => seconds(b.tMs));
    const statusCanvas = document.getElementById(`status-${phase.index}`);
    const series = [
      ['s2xx', '2xx'],
      ['s429', '429'],
      ['s5xx', '5xx'],
      ['other', 'other status'],
      ['errors', 'timeouts / connection errors'],
    ].filter(([key]) => key === 's2xx' || key === 's429' || phase.buckets.some((b) => b[key] > 0));
    new Chart(statusCanvas, {
      type: 'bar',
      data: {
        labels,
        datasets: series.map(([key, label]) => ({
          label,
          data: phase.buckets.map((b) => b[key]),
          backgroundColor: colours[key],
          borderWidth: 0,
          barPercentage: 1,
          categoryPercentage: 0.9,
        })),
      },
      options: {
        ...common,
        scales: {
          x: { stacked: true, title: { display: true, text: 'time since the phase began (100 ms intervals)' } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'responses per interval' } },
        },
        plugins: { title: { display: true, text: `${phase.name}: responses per 100 ms` } },
      },
    });
    const latencyCanvas = document.getElementById(`latency-${phase.index}`);
    new Chart(latencyCanvas, {
      type: 'line',
      data: {
        labels,
        datasets: ['p50', 'p90', 'p99'].map((key) => ({
          label: key,
          data: phase.buckets.map((b) => b[key]),
          borderColor: colours[key],
          backgroundColor: colours[key],
          pointRadius: 1.5,
          borderWidth: 2,
          spanGaps: true,
        })),
      },
      options: {
        ...common,
        scales: {
          x: { title: { display: true, text: 'time since the phase began' } },
          y: { beginAtZero: true, title: { display: true, text: 'latency (ms)' } },
        },
        plugins: { title: { display: true, text: `${phase.name}: latency percentiles per 100 ms` } },
      },
    });
  }

  const classCanvas = document.getElementById('class-coverage');
  if (classCanvas && data.classCounts.length > 0) {
    new Chart(classCanvas, {
      type: 'bar',
      data: {
        labels: data.classCounts.map(([name]) => name),
        datasets: [{ label: 'generated cases', data: data.classCounts.map(([, n]) => n), backgroundColor: colours.classes }],
      },
      options: {
        ...common,
        indexAxis: 'y',
        plugins: { legend: { display: false }, title: { display: true, text: 'property cases per generator class' } },
        scales: { x: { beginAtZero: true, title: { display: true, text: 'cases' } } },
      },
    });
  }
})();
