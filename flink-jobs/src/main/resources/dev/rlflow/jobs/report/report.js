// Draws the report's charts from the JSON embedded in #report-data; the tables need no script.
(function () {
  'use strict';
  if (typeof Chart === 'undefined') {
    return;
  }
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
                 '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var stageColor = {};
  data.stages.forEach(function (stage, i) {
    stageColor[stage] = palette[i % palette.length];
  });

  function tick(value) {
    var a = Math.abs(value);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
      return value.toExponential(1);
    }
    return String(Number(value.toPrecision(4)));
  }

  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;

  // A log axis when the positive values span more than two decades (learning rates of stages
  // that differ 100-fold) and at most one point per line is <= 0 (a warmup's first step), which
  // the log axis leaves out. Metrics that cross zero (an RL loss) stay linear.
  function wantsLogScale(series) {
    var min = Infinity;
    var max = 0;
    var nonPositive = 0;
    series.forEach(function (s) {
      s.points.forEach(function (p) {
        if (p[1] > 0) {
          min = Math.min(min, p[1]);
          max = Math.max(max, p[1]);
        } else {
          nonPositive++;
        }
      });
    });
    return max > 0 && max / min > 100 && nonPositive <= series.length;
  }

  document.querySelectorAll('canvas[data-metric]').forEach(function (canvas) {
    var series = data.series[canvas.dataset.metric] || [];
    var log = wantsLogScale(series);
    new Chart(canvas, {
      type: 'line',
      data: {
        datasets: series.map(function (s) {
          return {
            label: s.stage,
            data: s.points
              .filter(function (p) { return !log || p[1] > 0; })
              .map(function (p) { return {x: p[0], y: p[1]}; }),
            borderColor: stageColor[s.stage],
            backgroundColor: stageColor[s.stage],
            borderWidth: 1.5,
            pointRadius: s.points.length > 50 ? 0 : 2
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: {mode: 'nearest', intersect: false},
        scales: {
          x: {type: 'linear', title: {display: true, text: 'step'}},
          y: {type: log ? 'logarithmic' : 'linear', ticks: {callback: tick}}
        },
        plugins: {legend: {position: 'bottom'}}
      }
    });
  });

  var bar = document.querySelector('canvas[data-chart="by-steps"]');
  if (bar && data.by_steps) {
    new Chart(bar, {
      type: 'bar',
      data: {
        labels: data.by_steps.map(function (b) { return b.steps + (b.steps === 1 ? ' step' : ' steps'); }),
        datasets: [
          {label: 'accuracy', data: data.by_steps.map(function (b) { return b.accuracy; }),
           backgroundColor: '#1f77b4'},
          {label: 'step accuracy', data: data.by_steps.map(function (b) { return b.step_accuracy; }),
           backgroundColor: '#9ecae1'}
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {title: {display: true, text: 'chain length'}},
          y: {min: 0, max: 1}
        },
        plugins: {legend: {position: 'bottom'}}
      }
    });
  }
})();
