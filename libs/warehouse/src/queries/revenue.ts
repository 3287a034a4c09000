// Orders and revenue for a range: totals, per local day, top products and payment methods, from the
// orders and order_items models (one row per order_id, at its first purchase event).
import { botFilter, inFilteredSessions, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable, type ResolvedRange } from './range';

export interface RevenueDayRow {
  /** YYYY-MM-DD in the range's time zone. */
  day: string;
  orders: number;
  revenue: number;
}

export interface ProductRow {
  product_id: string;
  /** The latest name the product was sold under (any time); null when it never had one. */
  name: string | null;
  quantity: number;
  /** Σ price × quantity of its order lines in the range, 2 decimals. */
  revenue: number;
}

export interface PaymentMethodRow {
  /** '(none)' for orders without one. */
  payment_method: string;
  orders: number;
  revenue: number;
}

export interface RevenueReport {
  /** Distinct order_id placed in the range. */
  orders: number;
  /** Σ order amount. Amounts of every currency are added as they are. */
  revenue: number;
  /** Average order value: revenue ÷ orders, 2 decimals; 0 without orders. */
  aov: number;
  /** Per local day with orders, oldest first. */
  rows: RevenueDayRow[];
  /** By revenue, most first (ties by product_id), at most `limit`. */
  top_products: ProductRow[];
  /** By revenue, most first (ties by name), at most `limit`. */
  payment_methods: PaymentMethodRow[];
}

/** The revenue report for the range (orders in range by the time of their first purchase event). */
export async function revenue(sql: Queryable, range: MetricRange, options: ListOptions = {}): Promise<RevenueReport> {
  const r = resolveRange(range);
  const limit = resolveLimit(options.limit);
  const ordersInRange = sql`site_id = ${r.site} and ordered_at >= ${r.from} and ordered_at < ${r.to} ${botFilter(sql, r)} ${inFilteredSessions(sql, r, 'orders')}`;
  // order lines carry no session: with a device or country filter they follow their order's
  const linesInRange = sql`site_id = ${r.site} and ordered_at >= ${r.from} and ordered_at < ${r.to} ${botFilter(sql, r)} ${linesOfFilteredSessions(sql, r)}`;

  return withRangeErrors(r, async () => {
    const [[totals], rows, topProducts, paymentMethods] = await Promise.all([
      sql<[{ orders: number; revenue: number; aov: number }]>`
        select count(*)::float8 as orders,
               coalesce(sum(amount), 0)::float8 as revenue,
               coalesce(round(sum(amount) / nullif(count(*), 0), 2), 0)::float8 as aov
        from orders
        where ${ordersInRange}`,
      sql<RevenueDayRow[]>`
        select to_char(ordered_at at time zone ${r.tz}, 'YYYY-MM-DD') as day, count(*)::float8 as orders, sum(amount)::float8 as revenue
        from orders
        where ${ordersInRange}
        group by 1
        order by 1`,
      sql<ProductRow[]>`
        with sold as (
          select product_id, sum(quantity) as quantity, round(sum(price * quantity), 2) as revenue
          from order_items
          where ${linesInRange}
          group by product_id
          order by revenue desc, product_id collate "C"
          limit ${limit}
        )
        select s.product_id, latest.name, s.quantity::float8 as quantity, s.revenue::float8 as revenue
        from sold s
        left join lateral (
          -- as the products model names it: the newest order line that has a name
          select i.name
          from order_items i
          where i.site_id = ${r.site} and i.product_id = s.product_id and i.name is not null ${botFilter(sql, r, 'i')}
          order by i.ordered_at desc, i.order_id desc, i.line desc
          limit 1
        ) latest on true
        order by s.revenue desc, s.product_id collate "C"`,
      sql<PaymentMethodRow[]>`
        select coalesce(payment_method, '(none)') collate "C" as payment_method,
               count(*)::float8 as orders,
               sum(amount)::float8 as revenue
        from orders
        where ${ordersInRange}
        group by 1
        order by revenue desc, payment_method
        limit ${limit}`,
    ]);
    return { ...totals, rows, top_products: topProducts, payment_methods: paymentMethods };
  });
}

/** `and` only the order lines whose order belongs to a session with the filtered device type and country. */
function linesOfFilteredSessions(sql: Queryable, r: ResolvedRange) {
  const { deviceType, country } = r.filters;
  if (deviceType === undefined && country === undefined) return sql``;
  return sql`and exists (
    select 1 from orders fo
    where fo.site_id = order_items.site_id and fo.order_id = order_items.order_id and fo.is_bot = order_items.is_bot
      ${inFilteredSessions(sql, r, 'fo')}
  )`;
}
