// Live circuit-breaker state from GET /api/v1/gateway/breakers: one row per endpoint/model the
// project's gateway calls go through (shared, or its own when it calls with its own key).
import { api } from '../api';
import { timeOnly, int } from '../lib/format';
import { useAsync } from '../state';
import { Badge, ErrorBanner, numCol, TableHead } from './ui';

export interface BreakerRow {
  endpoint: string;
  model: string;
  label: string;
  own_credentials: boolean;
  state: 'closed' | 'open' | 'half_open';
  calls: number;
  failures: number;
  opens_until: string | null;
}

const TONE = { closed: 'good', open: 'bad', half_open: 'warn' } as const;
const LABEL = { closed: 'closed', open: 'open', half_open: 'half-open' } as const;

export function BreakerTable({ tick }: { tick: number }) {
  const rows = useAsync((signal) => api.get<{ data: BreakerRow[] }>('/api/v1/gateway/breakers', undefined, signal), [tick]);
  if (rows.error) return <ErrorBanner error={rows.error} onRetry={rows.reload} />;
  if (!rows.data) return null;
  if (!rows.data.data.length) return <p className="muted small">No breaker has seen a call since the server started.</p>;
  return (
    <div className="table-scroll">
      <table className="table compact" aria-label="Circuit breakers">
        <TableHead columns={['Endpoint / model', 'State', numCol('Calls'), numCol('Failures'), 'Open until']} />
        <tbody>
          {rows.data.data.map((b) => (
            <tr key={`${b.label}:${b.own_credentials}`}>
              <th scope="row" className="cell-name" title={b.label}>
                <code>{b.label}</code>
                {b.own_credentials ? <span className="muted small"> (project key)</span> : null}
              </th>
              <td>
                <Badge tone={TONE[b.state]}>{LABEL[b.state]}</Badge>
              </td>
              <td className="num">{int(b.calls)}</td>
              <td className="num">{int(b.failures)}</td>
              <td>{b.opens_until ? timeOnly(b.opens_until) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
