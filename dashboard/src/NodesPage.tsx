// Nodes view: every node, paged from the API (limit/marker/sort_key/sort_dir and the API's own filters) as
// the list scrolls, rows virtualised (@tanstack/react-virtual) and columns from @tanstack/react-table; the live
// stream keeps rows and the per-state counts current without reloading.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Link, useLocation } from 'wouter';
import { ApiError, get, LIST_FIELDS, query, type Node } from './api';
import { isDeleted, liveNode, onLiveBatch, pollMs, useLive } from './live';
import { FAULTS, PROVISION_STATES, toneOf } from './states';
import { Badge, ErrorBox, PowerBadge } from './ui';

const PAGE = 250;
const ROW_HEIGHT = 36;

export interface NodeFilters {
  provision_state: string;
  driver: string;
  maintenance: string;
  fault: string;
  resource_class: string;
  conductor_group: string;
  description_contains: string;
}

const NO_FILTERS: NodeFilters = { provision_state: '', driver: '', maintenance: '', fault: '', resource_class: '', conductor_group: '', description_contains: '' };

type NodePage = { nodes: Node[]; next?: string };

const col = createColumnHelper<Node>();
const columns = [
  col.accessor('name', { header: 'Name', cell: (c) => <Link href={`/nodes/${c.row.original.uuid}`}>{c.getValue() ?? '(unnamed)'}</Link> }),
  col.accessor('uuid', { header: 'UUID', cell: (c) => <code className="uuid">{c.getValue()}</code> }),
  col.accessor('provision_state', { header: 'Provision state', cell: (c) => <><Badge state={c.getValue()} />{c.row.original.target_provision_state ? <span className="muted"> → {c.row.original.target_provision_state}</span> : null}</> }),
  col.accessor('power_state', { header: 'Power', cell: (c) => <PowerBadge state={c.getValue()} target={c.row.original.target_power_state} /> }),
  col.accessor('maintenance', { header: 'Maint.', cell: (c) => (c.getValue() ? <span className="badge tone-wait" title={c.row.original.maintenance_reason ?? ''}>maintenance</span> : '') }),
  col.accessor('fault', { header: 'Fault', cell: (c) => (c.getValue() ? <span className="badge tone-fail">{c.getValue()}</span> : '') }),
  col.accessor('conductor', { header: 'Conductor', enableSorting: false }),
  col.accessor('resource_class', { header: 'Resource class' }),
  col.accessor('owner', { header: 'Owner' }),
  col.accessor('last_error', { header: 'Last error', enableSorting: false, cell: (c) => <span className="error-text" title={c.getValue() ?? ''}>{c.getValue()}</span> }),
];

const GRID = '1.2fr 2.3fr 1.4fr 1fr 0.9fr 0.9fr 1fr 1fr 0.8fr 2fr';

export function NodesPage() {
  const [filters, setFilters] = useState<NodeFilters>(NO_FILTERS);
  const [search, setSearch] = useState('');
  const [sorting, setSorting] = useState<SortingState>([{ id: 'name', desc: false }]);
  const live = useLive();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const sort = sorting[0];
  const params = { ...filters, sort_key: sort?.id, sort_dir: sort ? (sort.desc ? 'desc' : 'asc') : undefined };
  const key = ['nodes', params];

  const drivers = useQuery({ queryKey: ['drivers'], queryFn: () => get<{ drivers: { name: string }[] }>('/v1/drivers') });

  const list = useInfiniteQuery({
    queryKey: key,
    enabled: !search,
    // Refetched whenever the list is opened again: nodes enrolled while it was not shown reached no listener.
    staleTime: 0,
    refetchInterval: pollMs(live),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => get<NodePage>(`/v1/nodes${query({ ...params, fields: LIST_FIELDS.join(','), limit: PAGE, marker: pageParam })}`),
    getNextPageParam: (last) => (last.next && last.nodes.length ? last.nodes.at(-1)!.uuid : undefined),
  });

  // A name or UUID is looked up directly (the API has no substring search on names).
  const found = useQuery({
    queryKey: ['node-ident', search],
    enabled: !!search,
    retry: false,
    queryFn: async () => {
      try {
        return [await get<Node>(`/v1/nodes/${encodeURIComponent(search)}${query({ fields: LIST_FIELDS.join(',') })}`)];
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return [];
        throw e;
      }
    },
  });

  // Memoised: a new array per render would make the table recompute and reset its state on every render.
  const fetched = useMemo(() => (search ? found.data ?? [] : list.data?.pages.flatMap((p) => p.nodes) ?? []), [search, found.data, list.data]);
  const rows = useMemo(() => fetched.filter((n) => !isDeleted(n.uuid)).map(liveNode), [fetched, live.revision]);
  const known = useMemo(() => new Set(fetched.map((n) => n.uuid)), [fetched]);

  // Nodes we have not listed yet (just enrolled): reload near the top, offer a reload deeper down.
  const [unseen, setUnseen] = useState(0);
  const pages = list.data?.pages.length ?? 0;
  useEffect(() => onLiveBatch((b) => {
    const fresh = (b.nodes ?? []).filter((n) => !known.has(n.uuid)).length;
    if (!fresh || search) return;
    if (pages <= 2) void qc.invalidateQueries({ queryKey: ['nodes'] });
    else setUnseen((u) => u + fresh);
  }), [known, pages, search, qc]);

  const table = useReactTable({
    // autoResetAll off: paging, sorting and filtering are the API's; react-table's resets (queued in a microtask
    // after each data change, then a state update) only re-render, and after a click or key press they ran as
    // synchronous updates that never ended, locking the tab.
    data: rows, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, enableMultiSort: false, autoResetAll: false,
    state: { sorting }, onSortingChange: setSorting, getRowId: (n) => n.uuid,
  });
  const tableRows = table.getRowModel().rows;

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: tableRows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (!search && list.hasNextPage && !list.isFetchingNextPage && lastIndex >= tableRows.length - 40) void list.fetchNextPage();
  }, [lastIndex, tableRows.length, list.hasNextPage, list.isFetchingNextPage, search]);

  const set = (k: keyof NodeFilters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: e.target.value }));
  const counts = live.counts;

  return (
    <div className="page nodes-page">
      <div className="counts" role="group" aria-label="Nodes per provision state">
        <button type="button" className={`count ${filters.provision_state === '' ? 'selected' : ''}`} onClick={() => setFilters((f) => ({ ...f, provision_state: '' }))}>
          <span className="count-n" data-testid="count-total">{counts?.total ?? '…'}</span> all nodes
        </button>
        {Object.entries(counts?.provision_states ?? {}).sort((a, b) => b[1] - a[1]).map(([state, n]) => (
          <button type="button" key={state} className={`count tone-${toneOf(state)} ${filters.provision_state === state ? 'selected' : ''}`}
            onClick={() => setFilters((f) => ({ ...f, provision_state: f.provision_state === state ? '' : state }))} data-state={state}>
            <span className="count-n">{n}</span> {state}
          </button>
        ))}
      </div>

      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>Name or UUID<input type="search" value={search} onChange={(e) => setSearch(e.target.value.trim())} placeholder="exact name or UUID" /></label>
        <label>Provision state<select value={filters.provision_state} onChange={set('provision_state')}>
          <option value="">any</option>{PROVISION_STATES.map((s) => <option key={s}>{s}</option>)}</select></label>
        <label>Driver<select value={filters.driver} onChange={set('driver')}>
          <option value="">any</option>{drivers.data?.drivers.map((d) => <option key={d.name}>{d.name}</option>)}</select></label>
        <label>Maintenance<select value={filters.maintenance} onChange={set('maintenance')}>
          <option value="">any</option><option value="true">yes</option><option value="false">no</option></select></label>
        <label>Fault<select value={filters.fault} onChange={set('fault')}>
          <option value="">any</option>{FAULTS.map((f) => <option key={f}>{f}</option>)}</select></label>
        <label>Resource class<input value={filters.resource_class} onChange={set('resource_class')} /></label>
        <label>Conductor group<input value={filters.conductor_group} onChange={set('conductor_group')} /></label>
        <label>Description contains<input value={filters.description_contains} onChange={set('description_contains')} /></label>
      </form>

      <ErrorBox error={search ? found.error : list.error} />
      {unseen > 0 && (
        <div className="notice" role="status">
          {unseen} new node(s) enrolled. <button type="button" onClick={() => { setUnseen(0); void qc.invalidateQueries({ queryKey: ['nodes'] }); }}>Reload list</button>
        </div>
      )}

      <div className="grid" role="table" aria-label="Nodes" aria-rowcount={tableRows.length}>
        <div role="rowgroup" className="grid-head">
          {table.getHeaderGroups().map((hg) => (
            <div role="row" key={hg.id} className="grid-row" style={{ gridTemplateColumns: GRID }}>
              {hg.headers.map((h) => {
                const s = h.column.getIsSorted();
                return (
                  <div role="columnheader" key={h.id} aria-sort={s === 'asc' ? 'ascending' : s === 'desc' ? 'descending' : 'none'}>
                    {h.column.getCanSort()
                      ? <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()}>{flexRender(h.column.columnDef.header, h.getContext())}{s === 'asc' ? ' ▲' : s === 'desc' ? ' ▼' : ''}</button>
                      : flexRender(h.column.columnDef.header, h.getContext())}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
        <div ref={scroller} className="grid-body" role="rowgroup" data-testid="node-rows">
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {items.map((vi) => {
              const row = tableRows[vi.index]!;
              return (
                <div role="row" key={row.id} data-uuid={row.id} aria-rowindex={vi.index + 1} className="grid-row body-row"
                  style={{ gridTemplateColumns: GRID, transform: `translateY(${vi.start}px)`, height: ROW_HEIGHT }}
                  onDoubleClick={() => navigate(`/nodes/${row.id}`)}>
                  {row.getVisibleCells().map((cell) => <div role="cell" key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</div>)}
                </div>
              );
            })}
          </div>
          {!tableRows.length && !list.isLoading && !found.isLoading && <p className="empty">No nodes match.</p>}
        </div>
        <div className="grid-foot muted" role="status">
          {tableRows.length} loaded{list.hasNextPage && !search ? ', more as you scroll' : ''}{list.isFetchingNextPage ? ' (loading…)' : ''}
        </div>
      </div>
    </div>
  );
}
