// Switchboard console service worker: only here so that desktop notifications can carry Accept / Reject
// buttons (browsers allow actions only on notifications shown by a service worker). It caches nothing.
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// A button or the body was clicked: bring the console forward and let the page answer through /v1.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const message = { type: "desktop-click", action: event.action || "", id: event.notification.data && event.notification.data.id };
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const target = windows[0];
    if (!target) return self.clients.openWindow("./");
    target.postMessage(message);
    return target.focus();
  })());
});
