// Events and raw bytes per day on two axes: the data-volume chart of the Live and Pipeline pages.

import { Area, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatCompact, formatDay, formatNumber } from '../lib/format';
import { axisProps, chartStyle, ChartFigure, gridProps, legendProps, seriesColor, tooltipProps } from './charts';

export function VolumeChart({ title, volume }: { title: string; volume: { day: string; events: number; bytes: number }[] }) {
  return (
    <ChartFigure title={title}>
      <ComposedChart responsive style={chartStyle(240)} data={volume.map((v) => ({ ...v, label: formatDay(v.day) }))} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid {...gridProps} />
        <XAxis dataKey="label" {...axisProps} minTickGap={16} />
        <YAxis yAxisId="events" {...axisProps} width={48} tickFormatter={formatCompact} />
        <YAxis yAxisId="bytes" orientation="right" {...axisProps} width={64} tickFormatter={(v: number) => formatBytes(v)} />
        <Tooltip {...tooltipProps} formatter={(v, name) => (name === 'Bytes' ? formatBytes(Number(v)) : formatNumber(Number(v)))} />
        <Legend {...legendProps} />
        <Area yAxisId="events" type="monotone" dataKey="events" name="Events" stroke={seriesColor(0)} fill={seriesColor(0)} fillOpacity={0.2} isAnimationActive={false} />
        <Line yAxisId="bytes" type="monotone" dataKey="bytes" name="Bytes" stroke={seriesColor(3)} strokeWidth={2} dot={false} isAnimationActive={false} />
      </ComposedChart>
    </ChartFigure>
  );
}
