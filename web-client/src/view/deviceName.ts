/**
 * Signed-in devices as people say them: "Chrome on Android", not the User-Agent the server
 * stored when the device did not name itself (signing up, older clients, CardDAV apps).
 */
export function readableDeviceName(name: string): string {
  const n = name.trim();
  if (!n) return "Unnamed device";
  // A chosen name ("Anna's phone") is shown as it is; only a User-Agent is translated.
  if (!/^Mozilla\/|AppleWebKit|Gecko\/|Chrome\/|Safari\//.test(n)) return n;
  const os = /Android/.test(n)
    ? "Android"
    : /iPhone/.test(n)
      ? "iPhone"
      : /iPad/.test(n)
        ? "iPad"
        : /CrOS/.test(n)
          ? "ChromeOS"
          : /Mac OS X|Macintosh/.test(n)
            ? "Mac"
            : /Windows/.test(n)
              ? "Windows"
              : /Linux/.test(n)
                ? "Linux"
                : "";
  const browser = /Firefox\/|FxiOS/.test(n)
    ? "Firefox"
    : /Edg[A]?\//.test(n)
      ? "Edge"
      : /OPR\//.test(n)
        ? "Opera"
        : /SamsungBrowser/.test(n)
          ? "Samsung Internet"
          : /Chrome\/|CriOS|Chromium/.test(n)
            ? "Chrome"
            : /Safari\//.test(n)
              ? "Safari"
              : "Browser";
  return os ? `${browser} on ${os}` : browser;
}
