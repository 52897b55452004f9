/**
 * The three statistical views of an MBA's balance periods, drawn with ECharts (loaded lazily with
 * this module, so the first screen stays small):
 * - MUF per period against its ±3σMUF control band,
 * - CUMUF against one significant quantity,
 * - Page's CUSUM statistic against its decision threshold h.
 * Each chart is a canvas with a text alternative; the balance table beside it carries every number.
 */
import { LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { type EChartsCoreOption, type EChartsType, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import type { BalancePeriod } from '../api.js';
import { formatLocale } from '../i18n/format.js';
import { type Translate, useT } from '../i18n/I18nProvider.js';

use([
  LineChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

const ALARM = '#a4161a';
const MAIN = '#1d4f91';
const BAND = '#5b6b7c';

export interface BalanceChartsProps {
  readonly periods: readonly BalancePeriod[];
  /** One significant quantity in grams (null when the category has none). */
  readonly sqGrams: number | null;
  readonly h: number;
  readonly element: string;
  /** A click on a period's point opens its drill-down. */
  readonly onSelect?: (index: number) => void;
  /** Time from the start of drawing (init) until the chart reported `finished`, in ms. */
  readonly onRendered?: (ms: number) => void;
}

const g = (x: number) => x.toLocaleString(formatLocale(), { maximumFractionDigits: 1 });

function point(value: number, alarm: boolean) {
  return alarm ? { value, itemStyle: { color: ALARM }, symbolSize: 9 } : value;
}

/**
 * The axis maximum rounded up to one significant digit (8 640 → 9 000): an odd maximum is drawn
 * as its own label just above the last round one, and the two overlapped.
 */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(x));
  return Math.ceil(x / step) * step;
}

function base(labels: string[], yName: string): EChartsCoreOption {
  return {
    animation: false,
    // containLabel: the axes' labels are inside the grid, so the first date never runs into the
    // value labels; hideOverlap on both axes drops labels that would cover each other (issue 16).
    grid: { left: 12, right: 24, top: 36, bottom: 12, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? g(v) : String(v)) },
    legend: { top: 4, left: 'center' },
    xAxis: { type: 'category', data: labels, boundaryGap: false, axisLabel: { hideOverlap: true } },
    yAxis: {
      type: 'value',
      name: yName,
      nameGap: 12,
      nameTextStyle: { align: 'left' },
      scale: true,
      axisLabel: { hideOverlap: true },
    },
  };
}

export function mufOption(t: Translate, periods: readonly BalancePeriod[]): EChartsCoreOption {
  const labels = periods.map((p) => p.to);
  const big = periods.length > 60;
  return {
    ...base(labels, t('chart.grams')),
    series: [
      {
        name: 'MUF',
        type: 'line',
        data: periods.map((p) =>
          point(p.muf, p.alarms.includes('MUF_3SIGMA') || p.alarms.includes('MUF_SQ')),
        ),
        color: MAIN,
        symbolSize: big ? 4 : 7,
        z: 3,
      },
      {
        name: '+3σMUF',
        type: 'line',
        data: periods.map((p) => 3 * p.sigmaMuf),
        color: BAND,
        lineStyle: { type: 'dashed' },
        symbol: 'none',
      },
      {
        name: '−3σMUF',
        type: 'line',
        data: periods.map((p) => -3 * p.sigmaMuf),
        color: BAND,
        lineStyle: { type: 'dashed' },
        symbol: 'none',
        markLine: {
          silent: true,
          symbol: 'none',
          data: [{ yAxis: 0 }],
          lineStyle: { color: '#999' },
          label: { show: false },
        },
      },
    ],
  };
}

export function cumufOption(
  t: Translate,
  periods: readonly BalancePeriod[],
  sqGrams: number | null,
): EChartsCoreOption {
  const labels = periods.map((p) => p.to);
  const opt = base(labels, t('chart.grams')) as { yAxis: Record<string, unknown> } & EChartsCoreOption;
  const max = Math.max(...periods.map((p) => Math.abs(p.cumuf)), sqGrams ?? 0);
  return {
    ...opt,
    yAxis: {
      ...opt.yAxis,
      scale: false,
      max: niceCeil(max * 1.08),
      min: Math.min(0, ...periods.map((p) => p.cumuf)),
    },
    series: [
      {
        name: 'CUMUF',
        type: 'line',
        data: periods.map((p) => point(p.cumuf, p.alarms.includes('CUMUF_SQ'))),
        color: MAIN,
        symbolSize: periods.length > 60 ? 4 : 7,
        markLine:
          sqGrams === null
            ? undefined
            : {
                silent: true,
                symbol: 'none',
                data: [{ yAxis: sqGrams, name: '1 SQ' }],
                lineStyle: { color: ALARM, type: 'dashed' },
                label: { formatter: t('chart.sqLine', { grams: g(sqGrams) }), position: 'insideEndTop' },
              },
      },
    ],
  };
}

export function pageOption(t: Translate, periods: readonly BalancePeriod[], h: number): EChartsCoreOption {
  const labels = periods.map((p) => p.to);
  const opt = base(labels, t('chart.sigmaUnits')) as { yAxis: Record<string, unknown> } & EChartsCoreOption;
  const max = Math.max(h, ...periods.map((p) => p.page));
  return {
    ...opt,
    yAxis: { ...opt.yAxis, scale: false, min: 0, max: niceCeil(max * 1.1) },
    series: [
      {
        name: t('chart.pageStatistic'),
        type: 'line',
        data: periods.map((p) => point(p.page, p.alarms.includes('PAGE'))),
        color: MAIN,
        symbolSize: periods.length > 60 ? 4 : 7,
        markLine: {
          silent: true,
          symbol: 'none',
          data: [{ yAxis: h, name: 'h' }],
          lineStyle: { color: ALARM, type: 'dashed' },
          label: { formatter: `h = ${h}`, position: 'insideEndTop' },
        },
      },
    ],
  };
}

function summary(
  t: Translate,
  periods: readonly BalancePeriod[],
  pick: (p: BalancePeriod) => number,
): string {
  if (periods.length === 0) return t('chart.noPeriods');
  const first = periods[0]!;
  const last = periods[periods.length - 1]!;
  const vals = periods.map(pick);
  return t('chart.summary', {
    count: periods.length,
    from: first.from,
    to: last.to,
    lowest: g(Math.min(...vals)),
    highest: g(Math.max(...vals)),
    last: g(pick(last)),
  });
}

const TITLES = (t: Translate, element: string, h: number) => [
  t('chart.title.muf', { element }),
  t('chart.title.cumuf'),
  t('chart.title.page', { h }),
];

/**
 * The three views as one ECharts instance with three stacked grids sharing the period axis: one
 * canvas, one layout and one paint, which keeps a 10-year monthly series well inside the budget.
 */
export function combinedOption(
  t: Translate,
  periods: readonly BalancePeriod[],
  sqGrams: number | null,
  h: number,
  element: string,
  narrow = false,
): EChartsCoreOption {
  const parts = [mufOption(t, periods), cumufOption(t, periods, sqGrams), pageOption(t, periods, h)] as {
    xAxis: Record<string, unknown>;
    yAxis: Record<string, unknown>;
    series: Record<string, unknown>[];
  }[];
  const titles = TITLES(t, element, h);
  const band = 100 / 3;
  return {
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? g(v) : String(v)) },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    title: titles.map((text, i) => ({
      text,
      top: `${i * band}%`,
      left: 8,
      textStyle: {
        fontSize: narrow ? 11 : 13,
        fontWeight: 600,
        color: '#1b1f24',
        width: narrow ? 300 : undefined,
        overflow: 'truncate',
      },
    })),
    // On a phone the titles take the width; the caption below says what each line is.
    legend: parts.map((p, i) => ({
      show: !narrow,
      top: `${i * band}%`,
      right: 8,
      data: p.series.map((s) => s.name as string),
    })),
    grid: parts.map((_, i) => ({
      left: 12,
      right: 24,
      top: `${i * band + 7}%`,
      height: `${band - 14}%`,
      containLabel: true,
    })),
    xAxis: parts.map((p, i) => ({ ...p.xAxis, gridIndex: i })),
    yAxis: parts.map((p, i) => ({ ...p.yAxis, gridIndex: i })),
    series: parts.flatMap((p, i) => p.series.map((s) => ({ ...s, xAxisIndex: i, yAxisIndex: i }))),
  };
}

export default function BalanceCharts({
  periods,
  sqGrams,
  h,
  element,
  onSelect,
  onRendered,
}: BalanceChartsProps) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const selectRef = useRef(onSelect);
  selectRef.current = onSelect;
  const renderedRef = useRef(onRendered);
  renderedRef.current = onRendered;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const t0 = performance.now();
    const chart: EChartsType = init(el, undefined, { renderer: 'canvas' });
    let reported = false;
    chart.on('finished', () => {
      if (reported) return;
      reported = true;
      renderedRef.current?.(performance.now() - t0);
    });
    chart.on('click', (params) => {
      if (typeof params.dataIndex === 'number') selectRef.current?.(params.dataIndex);
    });
    chart.setOption(combinedOption(t, periods, sqGrams, h, element, el.clientWidth < 600));
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
    };
  }, [t, periods, sqGrams, h, element]);

  const outside = periods.filter((p) => Math.abs(p.muf) > 3 * p.sigmaMuf).length;
  const abovePage = periods.filter((p) => p.page > h).length;
  const label = [
    t('chart.label.muf', { summary: summary(t, periods, (p) => p.muf), outside }),
    sqGrams === null
      ? t('chart.label.cumuf', { summary: summary(t, periods, (p) => p.cumuf) })
      : t('chart.label.cumufSq', { summary: summary(t, periods, (p) => p.cumuf), sq: g(sqGrams) }),
    t('chart.label.page', { summary: summary(t, periods, (p) => p.page), above: abovePage, h }),
  ].join(' ');
  return (
    <figure className="chart-figure">
      <div
        ref={ref}
        className="chart chart-triple"
        role="img"
        aria-label={label}
        data-testid="balance-charts"
      />
      <figcaption className="muted small">
        {t('chart.caption', { titles: TITLES(t, element, h).join(' · ') })}
      </figcaption>
    </figure>
  );
}
