// Revenue: orders, revenue and average order value; revenue per day; top products; payment methods.

import { Bar, BarChart, CartesianGrid, Legend, Pie, PieChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { RevenueReply } from '../../shared/api-types';
import { axisProps, chartStyle, ChartFigure, gridProps, legendProps, seriesColor, tooltipProps } from '../components/charts';
import { DataTable, ShareBar, type Column } from '../components/DataTable';
import { ExportLink } from '../components/ExportLink';
import { Page } from '../components/Page';
import { Panel } from '../components/Panel';
import { QueryView } from '../components/QueryView';
import { CardGrid, StatCard } from '../components/StatCard';
import { formatCompact, formatDay, formatMoney, formatNumber } from '../lib/format';
import { useFilters } from '../use-filters';
import { useReport } from '../use-report';

type Product = RevenueReply['top_products'][number];
type Method = RevenueReply['payment_methods'][number];
type Day = RevenueReply['rows'][number];

const dayColumns: Column<Day>[] = [
  { key: 'day', label: 'Day', render: (r) => r.day },
  { key: 'orders', label: 'Orders', numeric: true, render: (r) => formatNumber(r.orders) },
  { key: 'revenue', label: 'Revenue', numeric: true, render: (r) => formatMoney(r.revenue) },
];

export default function RevenuePage() {
  const { query } = useFilters();
  const revenue = useReport<RevenueReply>(query, 'revenue');

  return (
    <Page name="revenue" title="Revenue">
      <Panel title="Totals" wide>
        <QueryView query={revenue} isEmpty={(r) => r.orders === 0}>
          {(r) => (
            <CardGrid label="Revenue totals">
              <StatCard id="orders" label="Orders" value={formatNumber(r.orders)} />
              <StatCard id="revenue" label="Revenue" value={formatMoney(r.revenue)} />
              <StatCard id="aov" label="Average order value" value={formatMoney(r.aov)} />
            </CardGrid>
          )}
        </QueryView>
      </Panel>

      <Panel title="Revenue per day" wide actions={<ExportLink report="revenue-daily" query={query} />}>
        <QueryView query={revenue} isEmpty={(r) => r.rows.length === 0}>
          {(r) => (
            <>
              <ChartFigure title="Revenue per day">
                <BarChart responsive style={chartStyle(260)} data={r.rows.map((d) => ({ ...d, label: formatDay(d.day) }))} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid {...gridProps} />
                  <XAxis dataKey="label" {...axisProps} minTickGap={16} />
                  <YAxis {...axisProps} width={56} tickFormatter={formatCompact} />
                  <Tooltip {...tooltipProps} formatter={(v) => formatMoney(Number(v))} />
                  <Bar dataKey="revenue" name="Revenue" fill={seriesColor(2)} isAnimationActive={false} />
                </BarChart>
              </ChartFigure>
              <details className="details">
                <summary>Revenue per day as a table</summary>
                <DataTable columns={dayColumns} rows={r.rows} rowKey={(d) => d.day} testId="table-revenue-daily" caption="Revenue per day" />
              </details>
            </>
          )}
        </QueryView>
      </Panel>

      <Panel title="Top products" actions={<ExportLink report="top-products" query={query} />}>
        <QueryView query={revenue} isEmpty={(r) => r.top_products.length === 0}>
          {(r) => <ProductsTable rows={r.top_products} />}
        </QueryView>
      </Panel>

      <Panel title="Payment methods" actions={<ExportLink report="payment-methods" query={query} />}>
        <QueryView query={revenue} isEmpty={(r) => r.payment_methods.length === 0}>
          {(r) => (
            <>
              <ChartFigure title="Revenue by payment method">
                <PieChart responsive style={chartStyle(220)}>
                  <Pie
                    data={r.payment_methods.map((m, i) => ({ name: m.payment_method, value: m.revenue, fill: seriesColor(i) }))}
                    dataKey="value"
                    nameKey="name"
                    innerRadius="50%"
                    outerRadius="80%"
                    stroke="var(--surface)"
                    isAnimationActive={false}
                  />
                  <Tooltip {...tooltipProps} formatter={(v) => formatMoney(Number(v))} />
                  <Legend {...legendProps} />
                </PieChart>
              </ChartFigure>
              <MethodsTable rows={r.payment_methods} />
            </>
          )}
        </QueryView>
      </Panel>
    </Page>
  );
}

function ProductsTable({ rows }: { rows: Product[] }) {
  const max = Math.max(0, ...rows.map((r) => r.revenue));
  const columns: Column<Product>[] = [
    { key: 'name', label: 'Product', render: (r) => <span className="cell-text">{r.name ?? r.product_id}</span> },
    { key: 'product_id', label: 'ID', render: (r) => <span className="cell-text muted">{r.product_id}</span> },
    { key: 'quantity', label: 'Quantity', numeric: true, render: (r) => formatNumber(r.quantity) },
    { key: 'revenue', label: 'Revenue', numeric: true, render: (r) => <ShareBar value={r.revenue} max={max} label={formatMoney(r.revenue)} /> },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.product_id} testId="table-top-products" caption="Top products" />;
}

function MethodsTable({ rows }: { rows: Method[] }) {
  const columns: Column<Method>[] = [
    { key: 'payment_method', label: 'Method', render: (r) => r.payment_method },
    { key: 'orders', label: 'Orders', numeric: true, render: (r) => formatNumber(r.orders) },
    { key: 'revenue', label: 'Revenue', numeric: true, render: (r) => formatMoney(r.revenue) },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(r) => r.payment_method} testId="table-payment-methods" caption="Payment methods" />;
}
