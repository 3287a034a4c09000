// Orders and revenue for a range: totals, per local day, top products and payment methods, from the
// orders and order_items models (one row per order_id, at its first purchase event) or, for the
// totals and days of whole UTC hours without filters, from their hourly sums (revenue_daily).
import { botFilter, inFilteredSessions, onWholeHours, onWholeLocalHours, resolveLimit, resolveRange, withRangeErrors, type ListOptions, type MetricRange, type Queryable, type ResolvedRange } from './range';

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

  // Whole UTC hours without filters: revenue_daily holds each hour's orders and Σ amount (all
  // currencies), the same numerics summed in another grouping. Its hours make local days only where
  // every hour lies within one local day (no half-hour offsets in the range).
  const inHours = sql`site_id = ${r.site} and hour >= ${r.from} and hour < ${r.to} ${botFilter(sql, r)}`;
  const totals = onWholeHours(r)
    ? sql`
        select coalesce(sum(orders), 0)::float8 as orders,
               coalesce(sum(revenue), 0)::float8 as revenue,
               coalesce(round(sum(revenue) / nullif(sum(orders), 0), 2), 0)::float8 as aov
        from revenue_daily
        where ${inHours}`
    : sql`
        select count(*)::float8 as orders,
               coalesce(sum(amount), 0)::float8 as revenue,
               coalesce(round(sum(amount) / nullif(count(*), 0), 2), 0)::float8 as aov
        from orders
        where ${ordersInRange}`;
  const days = onWholeLocalHours(r)
    ? sql`
        select to_char(hour at time zone ${r.tz}, 'YYYY-MM-DD') as day, sum(orders)::float8 as orders, sum(revenue)::float8 as revenue
        from revenue_daily
        where ${inHours}
        group by 1
        order by 1`
    : sql`
        select to_char(ordered_at at time zone ${r.tz}, 'YYYY-MM-DD') as day, count(*)::float8 as orders, sum(amount)::float8 as revenue
        from orders
        where ${ordersInRange}
        group by 1
        order by 1`;

  return withRangeErrors(r, async () => {
    const [[totalsRow], rows, topProducts, paymentMethods] = await Promise.all([
      sql<[{ orders: number; revenue: number; aov: number }]>`${totals}`,
      sql<RevenueDayRow[]>`${days}`,
      // Lines are first summed per (product, price), so Σ price × quantity multiplies once per price
      // rather than once per line: the same exact numeric. The name is the products model's (its
      // latest named line on each bot side); only when bots are included and the two sides name
      // the product differently are the lines themselves asked which name is the newer.
      sql<ProductRow[]>`
        with priced as (
          select product_id, price, sum(quantity) as quantity
          from order_items
          where ${linesInRange}
          group by product_id, price
        ),
        sold as (
          select product_id, sum(quantity) as quantity, round(sum(price * quantity), 2) as revenue
          from priced
          group by product_id
          order by revenue desc, product_id collate "C"
          limit ${limit}
        )
        select s.product_id, latest.name, s.quantity::float8 as quantity, s.revenue::float8 as revenue
        from sold s
        left join lateral (
          select case
                   when count(distinct p.name) <= 1 then max(p.name)
                   else (
                     -- as the products model names it: the newest order line that has a name
                     select i.name
                     from order_items i
                     where i.site_id = ${r.site} and i.product_id = s.product_id and i.name is not null
                     order by i.ordered_at desc, i.order_id desc, i.line desc
                     limit 1
                   )
                 end as name
          from products p
          where p.site_id = ${r.site} and p.product_id = s.product_id ${botFilter(sql, r, 'p')}
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
    return { ...totalsRow, rows, top_products: topProducts, payment_methods: paymentMethods };
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
