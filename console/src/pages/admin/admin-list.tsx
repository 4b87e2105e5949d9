import { useCallback, useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';

/**
 * What an admin screen reads from the API: the value (null until it came), the last error, `reload`, and `act`,
 * which runs a change and reads again (or says why the change failed).
 */
export function useAdminData<T>(read: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await read());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [read]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const act = useCallback(
    async (call: () => Promise<unknown>) => {
      try {
        setError(null);
        await call();
        await reload();
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    },
    [reload],
  );
  return { data, setData, error, setError, reload, act };
}

/**
 * The item being edited. Closing the form gives the focus back to the list's "Edit" button it was opened from,
 * so a keyboard user goes on where they were.
 */
export function useEditing<T>(keyOf: (item: T) => string) {
  const [editing, setEditing] = useState<T | null>(null);
  const close = useCallback(() => {
    const key = editing ? keyOf(editing) : null;
    setEditing(null);
    if (key !== null)
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`button[data-edit-key="${CSS.escape(key)}"]`)?.focus());
  }, [editing, keyOf]);
  return { editing, open: setEditing, close, selectedKey: editing ? keyOf(editing) : null };
}

export interface Column<T> {
  label: string;
  cell: (item: T) => ReactNode;
  /** The column that names the row (`<th scope="row">`). */
  header?: boolean;
  className?: string;
}

/**
 * An admin list: heading, hint, the error of its last read or change, "loading" and "none yet", and the table,
 * the row being edited marked (`aria-current`), each row's actions last. Up and down arrows move between the rows'
 * buttons (the same column of button where it has one), so a long list need not be crossed with Tab.
 */
export function AdminList<T>({
  id,
  heading,
  hint,
  error,
  items,
  empty,
  columns,
  rowKey,
  rowData,
  actions,
  onEdit,
  editLabel,
  selectedKey,
  children,
  footer,
}: {
  id: string;
  heading: string;
  hint?: string;
  error?: string | null;
  items: T[] | null;
  /** Said when there are none; without it an empty table is shown. */
  empty?: string;
  columns: Array<Column<T>>;
  rowKey: (item: T) => string;
  /** The row's `data-*` attributes, by which tests and styles find it. */
  rowData?: (item: T) => Record<string, string>;
  actions?: (item: T) => ReactNode;
  /** With it, each row has an "Edit" button (named by `editLabel`) that opens the item in the form. */
  onEdit?: (item: T) => void;
  editLabel?: (item: T) => string;
  selectedKey?: string | null;
  /** Between the hint and the table: the list's filters. */
  children?: ReactNode;
  /** After the table: "show more", details of a row. */
  footer?: ReactNode;
}) {
  const { t } = useI18n();
  const withActions = actions !== undefined || onEdit !== undefined;
  function keyDown(e: KeyboardEvent<HTMLTableSectionElement>) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const target = e.target as HTMLElement;
    if (target.tagName !== 'BUTTON') return;
    const row = target.closest('tr');
    const next = e.key === 'ArrowDown' ? row?.nextElementSibling : row?.previousElementSibling;
    if (!row || !next) return;
    const index = [...row.querySelectorAll('button')].indexOf(target as HTMLButtonElement);
    const buttons = next.querySelectorAll<HTMLButtonElement>('button');
    const to = buttons[Math.min(index, buttons.length - 1)];
    if (!to) return;
    e.preventDefault();
    to.focus();
  }
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{heading}</h2>
      {hint && <p className="hint">{hint}</p>}
      {children}
      {error && (
        <p className="error" role="alert">
          {t('app.error', { detail: error })}
        </p>
      )}
      {items === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : items.length === 0 && empty ? (
        <p>{empty}</p>
      ) : (
        <table className="inbox" aria-labelledby={`${id}-heading`}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c.label}>
                  {c.label}
                </th>
              ))}
              {withActions && (
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody onKeyDown={keyDown}>
            {items.map((item) => {
              const key = rowKey(item);
              const selected = key === selectedKey;
              return (
                <tr
                  key={key}
                  {...rowData?.(item)}
                  className={selected ? 'selected' : undefined}
                  aria-current={selected ? 'true' : undefined}
                >
                  {columns.map((c) =>
                    c.header ? (
                      <th scope="row" key={c.label} className={c.className}>
                        {c.cell(item)}
                      </th>
                    ) : (
                      <td key={c.label} className={c.className}>
                        {c.cell(item)}
                      </td>
                    ),
                  )}
                  {withActions && (
                    <td>
                      <div className="buttons">
                        {onEdit && (
                          <button type="button" data-edit-key={key} onClick={() => onEdit(item)} aria-label={editLabel?.(item)}>
                            {t('admin.edit')}
                          </button>
                        )}
                        {actions?.(item)}
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {footer}
    </section>
  );
}
