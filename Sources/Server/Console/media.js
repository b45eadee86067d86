// Switchboard agent console: a message's media (MMS), inbound and outbound, as links with image thumbnails.
// A classic script loaded before sessions.js; no build step.
"use strict";

const IMAGE_EXTENSIONS = /\.(jpe?g|png|gif|webp|bmp)$/i;

/// Only absolute http(s) URLs become links: a provider's or an agent's URL never runs script in the console.
function mediaHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch (error) {
    return null;
  }
}

/// An image by its reported type; an outbound attachment has none (`contentType: null`), so its file name decides.
function isImage(item, href) {
  if (item.contentType) return item.contentType.toLowerCase().startsWith("image/");
  return IMAGE_EXTENSIONS.test(new URL(href).pathname);
}

/// The list of a message's media, or null when it has none. Thumbnails load over https only (the page's
/// Content-Security-Policy); other images and other types show as links.
function mediaList(media) {
  if (!media || media.length === 0) return null;
  const list = document.createElement("ul");
  list.className = "media";
  list.setAttribute("aria-label", "Media");
  media.forEach((item, index) => {
    const li = document.createElement("li");
    const href = mediaHref(item.url);
    const name = `Attachment ${index + 1}` + (item.contentType ? ` (${item.contentType})` : "");
    if (!href) {
      li.textContent = `${name}: ${item.url}`;
    } else {
      const link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      if (href.startsWith("https:") && isImage(item, href)) {
        const image = document.createElement("img");
        image.src = href;
        image.alt = name;
        image.loading = "lazy";
        image.className = "thumbnail";
        link.append(image);
      } else {
        link.textContent = name;
      }
      li.append(link);
    }
    list.append(li);
  });
  return list;
}
