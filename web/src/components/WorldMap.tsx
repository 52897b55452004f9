/**
 * Offline map of facilities: Natural Earth countries from the packaged world-atlas TopoJSON,
 * projected with d3-geo into SVG. No tile server; loaded lazily so the first screen stays small.
 */
import { geoBounds, geoGraticule10, geoNaturalEarth1, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPoint } from 'geojson';
import { useEffect, useMemo, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { Facility } from '../api.js';
import { useT } from '../i18n/I18nProvider.js';
import { useFacilityType } from '../i18n/terms.js';
import { Link } from '../router.js';
import { placeLabels } from './map-labels.js';

const WIDTH = 960;
const HEIGHT = 520;

type Countries = FeatureCollection<Geometry, { name?: string }>;

async function loadCountries(): Promise<Countries> {
  const mod = (await import('world-atlas/countries-110m.json')) as unknown as { default: Topology };
  const topo = mod.default;
  const objects = topo.objects as { countries: GeometryCollection<{ name?: string }> };
  return feature(topo, objects.countries) as Countries;
}

const TYPE_COLOURS: Record<string, string> = {
  'power-reactor': '#b3261e',
  'research-reactor': '#7d3c98',
  enrichment: '#0b6e4f',
  'fuel-fabrication': '#1f5fa8',
  storage: '#8a5a00',
  reprocessing: '#444',
};

export function facilityColour(type: string): string {
  return TYPE_COLOURS[type] ?? '#333';
}

export default function WorldMap({ facilities, label }: { facilities: readonly Facility[]; label: string }) {
  const t = useT();
  const typeName = useFacilityType();
  const [countries, setCountries] = useState<Countries | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadCountries().then(
      (c) => live && setCountries(c),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);

  const projection = useMemo(() => {
    const p = geoNaturalEarth1();
    if (facilities.length === 0) return p.fitSize([WIDTH, HEIGHT], { type: 'Sphere' });
    // Frame the facilities with a generous margin so the region around them stays recognisable.
    const pts: MultiPoint = {
      type: 'MultiPoint',
      coordinates: facilities.map((f) => [f.longitude, f.latitude]),
    };
    const [[w, s], [e, n]] = geoBounds(pts);
    const padLon = Math.max(12, (e - w) * 0.6);
    const padLat = Math.max(7, (n - s) * 0.6);
    const frame: Feature<MultiPoint> = {
      type: 'Feature',
      properties: {},
      geometry: {
        type: 'MultiPoint',
        coordinates: [
          [Math.max(-180, w - padLon), Math.max(-85, s - padLat)],
          [Math.min(180, e + padLon), Math.min(85, n + padLat)],
        ],
      },
    };
    return p.fitExtent(
      [
        [10, 10],
        [WIDTH - 10, HEIGHT - 10],
      ],
      frame,
    );
  }, [facilities]);
  const path = useMemo(() => geoPath(projection), [projection]);
  // Labels placed so that none covers another or a marker (map-labels.ts).
  const placed = useMemo(() => {
    const shown = facilities.flatMap((f) => {
      const xy = projection([f.longitude, f.latitude]);
      return xy ? [{ f, xy }] : [];
    });
    const labels = placeLabels(shown.map(({ f, xy }) => ({ x: xy[0], y: xy[1], text: f.code })));
    return shown.map((s, i) => ({ ...s, label: labels[i]! }));
  }, [facilities, projection]);

  if (failed) return <p className="muted">{t('map.failed')}</p>;
  return (
    <figure className="map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-labelledby="map-title">
        <title id="map-title">{label}</title>
        <rect width={WIDTH} height={HEIGHT} className="map-sea" />
        <path d={path(geoGraticule10()) ?? ''} className="map-graticule" />
        {countries?.features.map((f, i) => (
          <path key={f.id ?? i} d={path(f) ?? ''} className="map-country">
            <title>{f.properties?.name ?? ''}</title>
          </path>
        ))}
        {placed.map(({ f, xy, label }) => (
          <Link
            key={f.code}
            to={`/facilities/${encodeURIComponent(f.code)}`}
            // The name starts with the code the marker shows (WCAG 2.5.3, label in name).
            aria-label={t('map.marker', {
              code: f.code,
              name: f.name,
              type: typeName(f.type),
              state: f.state,
            })}
            className="map-marker"
          >
            <circle cx={xy[0]} cy={xy[1]} r={7} fill={facilityColour(f.type)} />
            {label.leader && (
              <line x1={xy[0]} y1={xy[1]} x2={label.leader.x} y2={label.leader.y} className="map-leader" />
            )}
            <text x={label.x} y={label.y} textAnchor={label.anchor} className="map-label">
              {f.code}
            </text>
          </Link>
        ))}
      </svg>
      <figcaption className="map-legend">
        {[...new Set(facilities.map((f) => f.type))].sort().map((type) => (
          <span key={type}>
            <svg width="12" height="12" aria-hidden="true">
              <circle cx="6" cy="6" r="5" fill={facilityColour(type)} />
            </svg>{' '}
            {typeName(type)}
          </span>
        ))}
        <span className="muted">{t('map.credit')}</span>
      </figcaption>
    </figure>
  );
}
