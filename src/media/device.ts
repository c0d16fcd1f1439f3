/** The recording device as the `files` columns hold it; every field may be unknown. */
export interface DeviceInfo {
  deviceModel: string | null;
  deviceOs: string | null;
  appVersion: string | null;
}

export interface DeviceTags {
  make?: unknown;
  model?: unknown;
  software?: unknown;
  /** An operating-system version the container states explicitly, e.g. Android's `com.android.version`. */
  osVersion?: unknown;
  osName?: string;
}

/** Trims a tag value; EXIF strings are often NUL- or space-padded. Non-strings and empty strings become null. */
function clean(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\0+$/g, '').trim();
  return text === '' ? null : text;
}

/** Joins make and model without repeating the make (`Canon` + `Canon EOS 600D` is `Canon EOS 600D`). */
export function deviceModelName(make: unknown, model: unknown): string | null {
  const cleanMake = clean(make);
  const cleanModel = clean(model);
  if (!cleanModel) return cleanMake;
  if (!cleanMake || cleanModel.toLowerCase().startsWith(cleanMake.toLowerCase())) return cleanModel;
  return `${cleanMake} ${cleanModel}`;
}

const OS_NAMES = /^(ios|ipados|android|macos|mac os|windows|linux|harmonyos)\b/i;
// A bare version or build string such as "8.3", "01.15.00.67" or "00WW_3_380_SP02" is the
// device's firmware or OS build, not an application name.
const BARE_BUILD = /^[\w.-]*\d[\w.-]*$/;

/**
 * Sorts the EXIF or QuickTime `Software` value into an OS version or an app version. Apple
 * phones write their iOS version there ("8.3" becomes "iOS 8.3"), and cameras and drones write
 * a firmware build. Editors write their name ("Adobe Photoshop Lightroom 6.1 (Windows)"), which
 * becomes the app version.
 */
function classifySoftware(software: string, make: string | null, model: string | null): Pick<DeviceInfo, 'deviceOs' | 'appVersion'> {
  if (OS_NAMES.test(software)) return { deviceOs: software, appVersion: null };
  if (BARE_BUILD.test(software)) {
    const isAppleMobile = make?.toLowerCase() === 'apple' && /^(iphone|ipad|ipod)/i.test(model ?? '');
    return { deviceOs: isAppleMobile ? `iOS ${software}` : software, appVersion: null };
  }
  return { deviceOs: null, appVersion: software };
}

/** Builds the device fields from make, model and software tags; null when none of them is present. */
export function deviceFromTags(tags: DeviceTags): DeviceInfo | null {
  const make = clean(tags.make);
  const model = clean(tags.model);
  const software = clean(tags.software);
  const osVersion = clean(tags.osVersion);

  const deviceModel = deviceModelName(make, model);
  const fromSoftware = software ? classifySoftware(software, make, model) : { deviceOs: null, appVersion: null };
  const explicitOs = osVersion ? `${tags.osName ?? ''} ${osVersion}`.trim() : null;
  const device: DeviceInfo = {
    deviceModel,
    deviceOs: explicitOs ?? fromSoftware.deviceOs,
    appVersion: fromSoftware.appVersion,
  };
  return device.deviceModel || device.deviceOs || device.appVersion ? device : null;
}
