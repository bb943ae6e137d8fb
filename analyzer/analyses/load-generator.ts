/**
 * Findings from the load generator's own guard rails (the Node runner's summary, `logjam load`): requests that
 * mostly got 4xx — the test aimed at a wrong URL, so it measured nothing — and a saturated generator, whose
 * latencies are partly its own queueing. k6's summaries carry neither, so these need --client-summary from logjam.
 */
import type { ClientView, Finding } from '../model.js';

export function loadGeneratorFindings(client?: ClientView): Finding[] {
  const findings: Finding[] = [];
  const wrong = client?.clientErrors ?? [];
  if (wrong.length > 0) {
    const total = wrong.reduce((sum, e) => sum + e.responses, 0);
    const errors = wrong.reduce((sum, e) => sum + e.status4xx, 0);
    findings.push({
      id: 'load-wrong-endpoint',
      severity: 'warning',
      title: `The load test mostly got 4xx from ${wrong.length} request name${wrong.length === 1 ? '' : 's'}: is the endpoint right?`,
      explanation:
        `${errors} of ${total} responses to these requests were 4xx (404: ${wrong.reduce((sum, e) => sum + e.status404, 0)}). ` +
        'A test that hits a URL the service does not serve measures the 404 path, not the service.',
      fix: 'check --endpoint and the URLs in the scenario (a base path such as /api/v1?), then run the test again',
      counts: { requestNames: wrong.length, responses: total, status4xx: errors },
      exampleRequestIds: [],
      details: wrong.map((e) => `${e.method} ${e.name}: ${e.status4xx} of ${e.responses} 4xx (404: ${e.status404})`),
    });
  }
  const g = client?.generator;
  if (g?.saturated) {
    findings.push({
      id: 'load-generator-saturated',
      severity: 'warning',
      title: 'The load generator itself was saturated: client-side latencies are partly its own',
      explanation:
        `In ${g.saturatedSeconds} of ${g.windows} seconds the generator's event loop lagged (p99 ${Math.round(g.elDelayP99Ms)} ms over the run) ` +
        `or its CPU was near a full core (peak ${Math.round(g.cpuPeak * 100)}%). Requests then waited inside the generator before ` +
        'being sent or read, so the client summary overstates the service\'s latency; the server-side durations in the logs do not.',
      fix: 'lower the load per generator (fewer VUs or a lower rate), or run the generator on another machine than the service',
      counts: { saturatedSeconds: g.saturatedSeconds, windows: g.windows },
      exampleRequestIds: [],
    });
  }
  return findings;
}
