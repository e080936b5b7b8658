// corvette's web page: the entry point. Hash routing (lib/route.js) picks the view; live.js keeps
// the config, switches and stats current.
//
// Every URL the page uses is relative, and the views live in the hash, so the page works at any
// path prefix (Home Assistant's ingress, a reverse proxy): the document is always the page at the
// prefix root.

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './app.css';
import { html } from './html.js';
import { Note } from './components.js';
import { parseRoute } from './lib/route.js';
import { start, useLive } from './live.js';
import { CamerasView } from './views/cameras.js';
import { CameraView } from './views/camera.js';
import { EditorView } from './views/editor.js';
import { EventView } from './views/event.js';
import { EventsView } from './views/events.js';
import { RecordingsView } from './views/recordings.js';
import { SystemView } from './views/system.js';

function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const NAV = [
  { href: '#/', text: 'Cameras', views: ['cameras', 'camera', 'recordings'] },
  { href: '#/events', text: 'Events', views: ['events', 'event'] },
  { href: '#/system', text: 'System', views: ['system'] },
  { href: '#/editor', text: 'Editor', views: ['editor'] },
];

function Header({ route }) {
  const live = useLive();
  const socket = live.socket === 'open';
  return html`<header class="top">
    <a class="brand" href="#/">corvette</a>
    <nav class="nav" aria-label="Main">
      ${NAV.map(
        (n) => html`<a
          key=${n.href}
          href=${n.href}
          aria-current=${n.views.includes(route.view) ? 'page' : undefined}
        >${n.text}</a>`,
      )}
    </nav>
    <span
      class=${`conn ${live.configError ? 'conn-down' : socket ? 'conn-live' : 'conn-poll'}`}
      title=${live.configError
        ? `Server unreachable: ${live.configError}`
        : socket
          ? 'Live updates over the WebSocket'
          : 'Updates by polling every few seconds'}
    >${live.configError ? 'offline' : socket ? 'live' : 'polling'}</span>
  </header>`;
}

function View({ route }) {
  switch (route.view) {
    case 'cameras':
      return html`<${CamerasView} />`;
    case 'camera':
      return html`<${CameraView} key=${route.camera} name=${route.camera} />`;
    case 'events':
      return html`<${EventsView} filters=${route.filters} />`;
    case 'event':
      return html`<${EventView} key=${route.id} id=${route.id} />`;
    case 'system':
      return html`<${SystemView} />`;
    case 'editor':
      return html`<${EditorView} camera=${route.camera} />`;
    case 'recordings':
      return html`<${RecordingsView} key=${route.camera} camera=${route.camera} day=${route.day} />`;
    default:
      return html`<${Note} kind="error">No page at “${route.path}”. <a href="#/">Cameras</a></${Note}>`;
  }
}

function App() {
  const route = useRoute();
  // A new view (or a new filter of the event list) starts at the top.
  const filterKey = route.filters ? Object.values(route.filters).join('\n') : '';
  useEffect(() => window.scrollTo(0, 0), [route.view, route.camera, route.id, filterKey]);
  return html`<${Header} route=${route} />
    <main id="main"><${View} route=${route} /></main>`;
}

start();
render(html`<${App} />`, document.getElementById('app'));
