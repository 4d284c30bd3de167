// Small shared pieces: page header, stat tiles, empty and error states, badges, form fields, code.
import { useId, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useApp } from '../state';

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Tile({ label, value, hint, tone }: { label: string; value: ReactNode; hint?: ReactNode; tone?: 'bad' | 'warn' | 'good' }) {
  return (
    <div className={`tile${tone ? ` tone-${tone}` : ''}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {hint ? <div className="tile-hint">{hint}</div> : null}
    </div>
  );
}

export function Card({ title, children, actions, className, id }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; id?: string }) {
  const hid = useId();
  return (
    <section className={`card${className ? ` ${className}` : ''}`} aria-labelledby={title ? hid : undefined} id={id}>
      {title || actions ? (
        <div className="card-head">
          {title ? <h2 id={hid}>{title}</h2> : <span />}
          {actions ? <div className="card-actions">{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function ErrorBanner({ error, onRetry }: { error: Error | string | undefined | null; onRetry?: () => void }) {
  if (!error) return null;
  const msg = typeof error === 'string' ? error : error.message;
  return (
    <div className="banner banner-error" role="alert">
      <span>{msg}</span>
      {onRetry ? (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warn' }) {
  return (
    <div className={`banner banner-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="spinner-wrap" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </div>
  );
}

export function Empty({ title, children, icon = '◌' }: { title: string; children?: ReactNode; icon?: string }) {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <h3>{title}</h3>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export function Badge({ children, tone = 'neutral', title }: { children: ReactNode; tone?: 'neutral' | 'good' | 'bad' | 'warn' | 'info'; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* clipboard unavailable: the text is selectable */
    }
  };
  return (
    <div className="code-block">
      <button type="button" className="btn btn-small code-copy" onClick={copy} aria-label={`Copy ${label}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
    </div>
  );
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  help?: ReactNode;
  unit?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** Label, control, help and error text, wired with ids for assistive tech. */
export function Field({ label, error, help, unit, children }: FieldProps) {
  const id = useId();
  const helpId = help ? `${id}-help` : '';
  const errId = error ? `${id}-err` : '';
  const describedBy = [helpId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="field-control">
        {children({ id, describedBy, invalid: !!error })}
        {unit ? <span className="field-unit">{unit}</span> : null}
      </div>
      {help ? (
        <div className="field-help" id={helpId}>
          {help}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={errId} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function TextInput({ label, error, help, unit, ...rest }: { label: string; error?: string | undefined; help?: ReactNode; unit?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} error={error} help={help} unit={unit}>
      {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} className="input" {...rest} />}
    </Field>
  );
}

export function Select({ label, error, help, children, ...rest }: { label: string; error?: string | undefined; help?: ReactNode; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} error={error} help={help}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} className="input" {...rest}>
          {children}
        </select>
      )}
    </Field>
  );
}

export function Checkbox({ label, checked, onChange, help, disabled, name }: { label: string; checked: boolean; onChange: (v: boolean) => void; help?: ReactNode; disabled?: boolean; name?: string }) {
  const id = useId();
  return (
    <div className="check">
      <input type="checkbox" id={id} name={name} checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} aria-describedby={help ? `${id}-help` : undefined} />
      <label htmlFor={id}>{label}</label>
      {help ? (
        <div className="field-help" id={`${id}-help`}>
          {help}
        </div>
      ) : null}
    </div>
  );
}

/** A progress bar with its numbers for assistive tech. */
export function Progress({ value, label, tone }: { value: number; label: string; tone?: 'good' | 'warn' | 'bad' }) {
  const v = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  const t = tone ?? (value >= 1 ? 'bad' : value >= 0.8 ? 'warn' : 'good');
  return (
    <div className={`progress tone-${t}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value * 100)}>
      <div className="progress-fill" style={{ width: `${v * 100}%` }} />
    </div>
  );
}

/** A horizontal bar inside a table cell, relative to the largest value. */
export function Bar({ value, max }: { value: number; max: number }) {
  const w = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return (
    <span className="cell-bar" aria-hidden="true">
      <span style={{ width: `${w * 100}%` }} />
    </span>
  );
}

/** Shows children only to users who may edit; viewers get a note. */
export function useCanEdit(): boolean {
  return useApp().canEdit;
}

/** A table column heading: its text, right-aligned for numbers, or visually hidden (an actions column). */
export type Column = string | { label: ReactNode; num?: boolean; hidden?: boolean } | false | null | undefined;

/** Numeric column (right-aligned, like its cells). */
export const numCol = (label: ReactNode): Column => ({ label, num: true });
/** The unlabelled column of row buttons; screen readers still hear "Actions". */
export const ACTIONS: Column = { label: 'Actions', hidden: true };

/** One `<thead>` for every table: the pages list their columns instead of restating the markup. */
export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => {
          if (!c) return null;
          const col = typeof c === 'string' ? { label: c } : c;
          return (
            <th key={i} scope="col" className={col.num ? 'num' : undefined}>
              {col.hidden ? <span className="sr-only">{col.label}</span> : col.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
