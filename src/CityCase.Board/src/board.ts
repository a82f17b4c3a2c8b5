// The command centre's screen: the district's grids and open cases on a map, the day's figures, the departments'
// lights and scores, and the lights turning as the server records them (slaAlerts over graphql-transport-ws).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { addDays, cityDate, cityTime, developmentSignIn, escape, GraphQLError, LIGHT_COLOURS, liveClient, param, query, setToken, token, zone, type Light } from './api';
import { applyLabels, language, onLanguageChange, t, toggleLanguage } from './i18n';

// Only the parts of ECharts the board draws with: the bundle is about half the whole library.
echarts.use([BarChart, LineChart, MapChart, ScatterChart, GeoComponent, GridComponent, LegendComponent, TooltipComponent,
  VisualMapComponent, CanvasRenderer]);

const LIGHT_ORDER: Record<Light, number> = { GREEN: 0, YELLOW: 1, RED: 2 };

interface Grid { code: string; name: string; streetName: string; communityName: string; geometry: { coordinates: number[][][] } }
interface Department { code: string; name: string; nameEn: string }
interface OpenCase { id: string; number: string; status: string; departmentCode: string | null; gridCode: string | null; longitude: number; latitude: number; light: Light }
interface Alert { caseId: string; caseNumber: string; departmentCode: string | null; stage: string; level: Light; dueAt: string; cursor: string }

// The city's day, unless the page is told another (?date=YYYY-MM-DD).
const fixedDate = param('date');
const today = () => fixedDate ?? cityDate(new Date(), zone);

const grids = new Map<string, Grid>();
const departments = new Map<string, Department>();
const openCases = new Map<string, OpenCase>();
const casesPerGrid = new Map<string, number>();
const alerts: Alert[] = [];
let lastAlertCursor: string | null = null;
let selectedCaseId: string | null = null;
let unsubscribeSelected: (() => void) | null = null;

const mapChart = echarts.init(element('map'), 'dark', { renderer: 'canvas' });
const slaChart = echarts.init(element('sla-chart'), 'dark');
const rankChart = echarts.init(element('rank-chart'), 'dark');
const trendChart = echarts.init(element('trend-chart'), 'dark');
const transparent = { backgroundColor: 'transparent' };

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function setFigure(name: string, value: number | null | undefined, format: 'count' | 'rate' = 'count'): void {
  const target = document.querySelector<HTMLElement>(`[data-figure="${name}"]`);
  if (!target) return;
  target.dataset.value = value == null ? '' : String(value);
  target.textContent = value == null ? '–' : format === 'rate' ? `${(value * 100).toFixed(1)}%` : value.toLocaleString();
}

function message(text: string | null): void {
  const box = element('message');
  box.hidden = !text;
  box.textContent = text ?? '';
}

// ---- Reference data: the grids' outlines become the map ----

async function loadReference(): Promise<void> {
  const data = await query<{ grids: Grid[]; departments: Department[] }>(`{
    grids { code name streetName communityName geometry { coordinates } }
    departments { code name nameEn } }`);
  data.grids.forEach((grid) => grids.set(grid.code, grid));
  data.departments.forEach((department) => departments.set(department.code, department));
  echarts.registerMap('district', {
    type: 'FeatureCollection',
    features: data.grids.map((grid) => ({
      type: 'Feature',
      properties: { name: grid.code },
      geometry: { type: 'Polygon', coordinates: grid.geometry.coordinates },
    })),
  } as never);
}

// ---- Figures: each from an existing query ----

async function loadFigures(): Promise<void> {
  const day = today();
  const monthStart = `${day.slice(0, 8)}01`;
  const periodFrom = addDays(day, -Number(element<HTMLSelectElement>('period').value));
  const trendDays = Array.from({ length: 7 }, (_, i) => addDays(day, i - 6));
  const closedPerDay = trendDays.map((d, i) => `closed${i}: scorecards(dimension: STREET, from: "${d}", to: "${d}") { counts { closed } }`).join('\n');
  const data = await query<Record<string, any>>(`query Figures($day: Date!, $weekAgo: Date!, $monthStart: Date!, $periodFrom: Date!) {
    intake: dailyIntake(from: $weekAgo, to: $day) { date hotline patrol sensor total }
    today: scorecards(dimension: STREET, from: $day, to: $day) { counts { dispatched disposed closed } }
    lights: slaBoard(first: 1) { green yellow red }
    scores: scorecards(dimension: DEPARTMENT, from: $monthStart, to: $day) { subject subjectName compositeScore }
    hotline: hotlineKpis(from: $monthStart, to: $day) { acceptanceNotifiedRate completionNotifiedRate }
    hotspots(level: GRID, from: $periodFrom, to: $day) { code cases }
    ${closedPerDay}
  }`, { day, weekAgo: trendDays[0], monthStart, periodFrom });

  const intakeToday = data.intake[data.intake.length - 1];
  setFigure('intake.hotline', intakeToday.hotline);
  setFigure('intake.patrol', intakeToday.patrol);
  setFigure('intake.sensor', intakeToday.sensor);
  setFigure('intake.total', intakeToday.total);
  const sum = (key: string) => data.today.reduce((total: number, street: any) => total + street.counts[key], 0);
  setFigure('today.dispatched', sum('dispatched'));
  setFigure('today.disposed', sum('disposed'));
  setFigure('today.closed', sum('closed'));
  setLightCounts(data.lights);
  setFigure('hotline.acceptanceNotifiedRate', data.hotline.acceptanceNotifiedRate, 'rate');
  setFigure('hotline.completionNotifiedRate', data.hotline.completionNotifiedRate, 'rate');

  casesPerGrid.clear();
  data.hotspots.forEach((spot: { code: string; cases: number }) => casesPerGrid.set(spot.code, spot.cases));
  drawMap();

  const ranked = data.scores.filter((s: any) => s.compositeScore != null)
    .sort((a: any, b: any) => a.compositeScore - b.compositeScore); // the chart draws bottom-up: best on top
  rankChart.setOption({
    ...transparent,
    grid: { left: 150, right: 50, top: 10, bottom: 20 },
    xAxis: { type: 'value', max: 100, splitLine: { show: false } },
    yAxis: { type: 'category', data: ranked.map((s: any) => departmentName(s.subject)), axisLabel: { fontSize: 16 } },
    series: [{ type: 'bar', data: ranked.map((s: any) => Math.round(s.compositeScore * 10) / 10), label: { show: true, position: 'right', fontSize: 16 },
      itemStyle: { color: '#4ea1ff' } }],
  }, true);

  trendChart.setOption({
    ...transparent,
    legend: { top: 0, textStyle: { fontSize: 16 } },
    grid: { left: 50, right: 30, top: 40, bottom: 30 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: data.intake.map((d: any) => d.date.slice(5)), axisLabel: { fontSize: 16 } },
    yAxis: { type: 'value' },
    series: [
      ...(['hotline', 'patrol', 'sensor'] as const).map((channel) => ({
        name: t(channel), type: 'bar', stack: 'intake', data: data.intake.map((d: any) => d[channel]) })),
      { name: t('closed'), type: 'line', smooth: true, data: trendDays.map((_, i) =>
        data[`closed${i}`].reduce((total: number, street: any) => total + street.counts.closed, 0)) },
    ],
  }, true);
}

function setLightCounts(lights: { green: number; yellow: number; red: number }): void {
  setFigure('sla.green', lights.green);
  setFigure('sla.yellow', lights.yellow);
  setFigure('sla.redLights', lights.red);
  setFigure('sla.red', lights.red);
}

async function loadDepartmentLights(): Promise<void> {
  const codes = [...departments.keys()];
  const fields = codes.map((code, i) => `d${i}: slaBoard(departmentCode: "${code}", first: 1) { green yellow red }`).join('\n');
  const data = await query<Record<string, { green: number; yellow: number; red: number }>>(`{ ${fields} }`);
  const rows = codes.map((code, i) => ({ code, ...data[`d${i}`] })).filter((r) => r.green + r.yellow + r.red > 0).reverse();
  slaChart.setOption({
    ...transparent,
    legend: { top: 0, textStyle: { fontSize: 16 } },
    grid: { left: 150, right: 30, top: 40, bottom: 20 },
    xAxis: { type: 'value', splitLine: { show: false } },
    yAxis: { type: 'category', data: rows.map((r) => departmentName(r.code)), axisLabel: { fontSize: 16 } },
    series: (['green', 'yellow', 'red'] as const).map((light) => ({
      name: t(light), type: 'bar', stack: 'lights', data: rows.map((r) => r[light]),
      itemStyle: { color: LIGHT_COLOURS[light.toUpperCase() as Light] } })),
  }, true);
}

function departmentName(code: string | null): string {
  if (!code) return '–';
  const department = departments.get(code);
  return department ? (language() === 'zh' ? department.name : department.nameEn) : code;
}

// ---- Open cases: every case with a running clock, at its worst light (the SLA board, page by page) ----

async function loadOpenCases(): Promise<void> {
  const found = new Map<string, OpenCase>();
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const data: any = await query(`query Open($after: String) { slaBoard(first: 100, after: $after) {
      cases { light case { id number status departmentCode gridCode location { longitude latitude } } }
      pageInfo { hasNextPage endCursor } } }`, { after });
    for (const row of data.slaBoard.cases)
      found.set(row.case.id, { ...row.case, ...row.case.location, light: row.light });
    if (!data.slaBoard.pageInfo.hasNextPage) break;
    after = data.slaBoard.pageInfo.endCursor;
  }
  openCases.clear();
  found.forEach((value, key) => openCases.set(key, value));
  drawMap();
}

function drawMap(): void {
  if (!grids.size) return;
  const max = Math.max(1, ...casesPerGrid.values());
  mapChart.setOption({
    ...transparent,
    tooltip: { trigger: 'item', formatter: (p: any) => p.seriesType === 'scatter'
      ? `${p.data.number}<br/>${departmentName(p.data.departmentCode)}`
      : `${grids.get(p.name)?.name ?? p.name}: ${p.value || 0}` },
    visualMap: { min: 0, max, seriesIndex: 0, calculable: false, orient: 'horizontal', left: 20, bottom: 10,
      text: [String(max), '0'], textStyle: { color: '#ccc', fontSize: 14 }, inRange: { color: ['#0e2a47', '#1f5f99', '#f39c12'] } },
    geo: { map: 'district', roam: true, aspectScale: 0.86, layoutCenter: ['50%', '50%'], layoutSize: '100%',
      itemStyle: { borderColor: '#5b7fa6', borderWidth: 0.8 }, emphasis: { itemStyle: { areaColor: '#2d7dd2' }, label: { show: false } } },
    series: [
      { type: 'map', geoIndex: 0, name: t('casesInPeriod'),
        data: [...grids.keys()].map((code) => ({ name: code, value: casesPerGrid.get(code) ?? 0 })) },
      { type: 'scatter', coordinateSystem: 'geo', name: t('case'), symbolSize: 11, zlevel: 1,
        data: [...openCases.values()].map((c) => ({ value: [c.longitude, c.latitude], id: c.id, number: c.number,
          departmentCode: c.departmentCode, light: c.light, itemStyle: { color: LIGHT_COLOURS[c.light], borderColor: '#000', borderWidth: 1 } })) },
    ],
  });
  document.body.dataset.openCases = String(openCases.size);
}

// ---- Details: a grid or a case, clicked on the map ----

// A click on the map: the case point under it (within a few pixels), else the grid whose outline holds it.
mapChart.getZr().on('click', (event: { offsetX: number; offsetY: number }) => {
  const near = nearestCase(event.offsetX, event.offsetY, 8);
  if (near) { void showCase(near.id); return; }
  const [longitude, latitude] = mapChart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]) as number[];
  const grid = [...grids.values()].find((g) => insidePolygon(longitude, latitude, g.geometry.coordinates));
  if (grid) showGrid(grid.code);
});

function nearestCase(x: number, y: number, within: number): OpenCase | undefined {
  let best: OpenCase | undefined;
  let bestDistance = within;
  for (const c of openCases.values()) {
    const [px, py] = mapChart.convertToPixel({ geoIndex: 0 }, [c.longitude, c.latitude]) as number[];
    const distance = Math.hypot(px - x, py - y);
    if (distance <= bestDistance) { best = c; bestDistance = distance; }
  }
  return best;
}

/** Ray casting over the rings (an odd number of crossings: inside; a hole's crossings cancel). */
function insidePolygon(x: number, y: number, rings: number[][][]): boolean {
  let inside = false;
  for (const ring of rings)
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  return inside;
}

function showGrid(code: string): void {
  const grid = grids.get(code);
  if (!grid) return;
  closeSelectedCase();
  const open = [...openCases.values()].filter((c) => c.gridCode === code);
  const details = element('details');
  details.hidden = false;
  details.dataset.grid = code;
  details.innerHTML = `<button class="close" type="button">${t('close')}</button>
    <h3>${escape(grid.name)}</h3>
    <dl><dt>${t('grid')}</dt><dd>${code}</dd><dt>${t('community')}</dt><dd>${escape(grid.communityName)}</dd>
    <dt>${t('street')}</dt><dd>${escape(grid.streetName)}</dd><dt>${t('casesInPeriod')}</dt><dd data-detail="cases">${casesPerGrid.get(code) ?? 0}</dd></dl>
    <ul>${open.map((c) => `<li><i class="dot" style="background:${LIGHT_COLOURS[c.light]}"></i><a href="/board/case/${c.number}">${c.number}</a> ${escape(departmentName(c.departmentCode))}</li>`).join('')}</ul>`;
  details.querySelector('button')!.addEventListener('click', hideDetails);
}

async function showCase(id: string): Promise<void> {
  closeSelectedCase();
  selectedCaseId = id;
  const data: any = await query(`query One($id: ID!) { case(id: $id) { ...View } } ${CASE_FIELDS}`, { id });
  renderCase(data.case);
  // The case as it changes, pushed by the server while it is shown.
  unsubscribeSelected = live.subscribe({ query: `subscription Changed($id: ID!) { caseChanged(id: $id) { ...View } } ${CASE_FIELDS}`, variables: { id } }, {
    next: (value: any) => { if (selectedCaseId === id && value.data) renderCase(value.data.caseChanged); },
    error: () => {},
    complete: () => {},
  });
}

const CASE_FIELDS = `fragment View on Case { id number status suspended description categoryCode urgency departmentCode gridCode
  clocks { clock dueAt light remainingWorkingMinutes } }`;

function renderCase(c: any): void {
  const details = element('details');
  details.hidden = false;
  delete details.dataset.grid;
  details.dataset.case = c.number;
  const worst = (c.clocks as { light: Light }[]).reduce<Light>((w, clock) => LIGHT_ORDER[clock.light] > LIGHT_ORDER[w] ? clock.light : w, 'GREEN');
  details.innerHTML = `<button class="close" type="button">${t('close')}</button>
    <h3><i class="dot" style="background:${LIGHT_COLOURS[worst]}"></i>${c.number}</h3>
    <p>${escape(c.description)}</p>
    <dl><dt>${t('status')}</dt><dd data-detail="status">${c.status}${c.suspended ? ' ⏸' : ''}</dd>
    <dt>${t('department')}</dt><dd>${escape(departmentName(c.departmentCode))}</dd>
    <dt>${t('grid')}</dt><dd>${escape(grids.get(c.gridCode)?.name ?? c.gridCode ?? '–')}</dd></dl>
    <h4>${t('clocks')}</h4>
    <ul>${c.clocks.map((k: any) => `<li><i class="dot" style="background:${LIGHT_COLOURS[k.light as Light]}"></i>${k.clock} ${cityTime(k.dueAt, language())}</li>`).join('')}</ul>
    <a class="replay" href="/board/case/${c.number}">${t('replay')} →</a>`;
  details.querySelector('button')!.addEventListener('click', hideDetails);
}

function closeSelectedCase(): void {
  unsubscribeSelected?.();
  unsubscribeSelected = null;
  selectedCaseId = null;
}

function hideDetails(): void {
  closeSelectedCase();
  element('details').hidden = true;
}


// ---- Live: lights as the server records them ----

const live = liveClient({
  connected: (again) => {
    element('connection').className = 'connection live';
    element('connection').dataset.label = 'live';
    element('connection').textContent = t('live');
    if (again) void refreshAll(); // after a restart: whatever happened while the socket was down
  },
  closed: () => {
    element('connection').className = 'connection offline';
    element('connection').dataset.label = 'offline';
    element('connection').textContent = t('offline');
  },
});

function subscribeAlerts(): void {
  const payload = { query: `subscription Alerts($after: String) { slaAlerts(after: $after) {
      caseId caseNumber departmentCode stage level dueAt cursor } }`, variables: { after: lastAlertCursor } };
  live.subscribe(payload, {
    next: (value: any) => {
      const alert: Alert | undefined = value.data?.slaAlerts;
      if (!alert) return;
      lastAlertCursor = alert.cursor;
      payload.variables.after = alert.cursor; // a resubscription after a reconnect resumes from here
      void onAlert(alert);
    },
    error: (error) => console.warn('slaAlerts', error),
    complete: () => {},
  });
}

async function onAlert(alert: Alert): Promise<void> {
  alerts.unshift(alert);
  alerts.length = Math.min(alerts.length, 50);
  scheduleDraw();
  const known = openCases.get(alert.caseId);
  if (known) {
    if (LIGHT_ORDER[alert.level] > LIGHT_ORDER[known.light]) known.light = alert.level;
  } else {
    const data: any = await query(`query Located($id: ID!) { case(id: $id) { id number status departmentCode gridCode location { longitude latitude } } }`, { id: alert.caseId });
    if (data.case) {
      const light = openCases.get(alert.caseId)?.light; // another alert of the case may have come meanwhile
      openCases.set(alert.caseId, { ...data.case, ...data.case.location,
        light: light && LIGHT_ORDER[light] > LIGHT_ORDER[alert.level] ? light : alert.level });
      scheduleDraw();
    }
  }
  scheduleFigures();
}

let drawPending = false;

// A timekeeper pass turns many lights at once: drawing the list and the whole map for each alert kept the page busy
// for a tenth of a second per alert, and the later alerts (and their sockets' frames) waited behind it. Drawn once per frame.
function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    renderAlerts();
    drawMap();
  });
}

function renderAlerts(): void {
  element('alerts').innerHTML = alerts.length
    ? alerts.map((a) => `<li data-case="${a.caseNumber}" data-level="${a.level}"><i class="dot" style="background:${LIGHT_COLOURS[a.level]}"></i>
        <a href="/board/case/${a.caseNumber}">${a.caseNumber}</a> ${a.stage} · ${escape(departmentName(a.departmentCode))}</li>`).join('')
    : `<li class="empty">${t('noAlerts')}</li>`;
}

let figuresTimer: number | undefined;
function scheduleFigures(): void {
  clearTimeout(figuresTimer);
  figuresTimer = window.setTimeout(() => { void loadFigures().then(loadDepartmentLights).catch(showError); }, 800);
}

// ---- Start, sign-in, language ----

async function refreshAll(): Promise<void> {
  await loadFigures();
  await loadDepartmentLights();
  await loadOpenCases();
}

function showError(error: unknown): void {
  if (error instanceof GraphQLError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN')) {
    message(`${t('signInFirst')} (${error.message})`);
    showSignedIn(false);
  } else message(String(error instanceof Error ? error.message : error));
}

function showSignedIn(signedIn: boolean): void {
  element('signin').hidden = signedIn;
  element('signout').hidden = !signedIn;
}

async function start(): Promise<void> {
  applyLabels();
  showSignedIn(!!token());
  await loadReference();
  drawMap();
  if (!token()) { message(t('signInFirst')); return; }
  try {
    message(null);
    await refreshAll();
    subscribeAlerts();
    document.body.dataset.ready = 'true';
  } catch (error) { showError(error); }
}

element('dev-signin').addEventListener('click', async () => {
  try { await developmentSignIn('supervisor'); location.reload(); } catch (error) { message(String((error as Error).message)); }
});
element('use-token').addEventListener('click', () => { setToken(element<HTMLInputElement>('token').value.trim() || null); location.reload(); });
element('signout').addEventListener('click', () => { setToken(null); location.reload(); });
element('language').addEventListener('click', toggleLanguage);
element('period').addEventListener('change', () => { void loadFigures().catch(showError); });
onLanguageChange(() => { renderAlerts(); if (token()) void refreshAll().catch(showError); });
setInterval(() => { element('clock').textContent = cityTime(new Date(), language()); }, 1000);
setInterval(() => { if (token()) void loadFigures().then(loadDepartmentLights).catch(showError); }, 60_000);
window.addEventListener('resize', () => [mapChart, slaChart, rankChart, trendChart].forEach((chart) => chart.resize()));

// For the browser tests and curious operators: what the map actually laid out and shows.
(window as any).cityCaseBoard = {
  regions: () => ((mapChart as any).getModel().getComponent('geo')?.coordinateSystem?.regions ?? []).map((r: any) => r.name),
  caseLight: (number: string) => [...openCases.values()].find((c) => c.number === number)?.light,
  pointColour: (number: string) => {
    const series = (mapChart.getOption() as any).series?.[1]?.data ?? [];
    return series.find((p: any) => p.number === number)?.itemStyle?.color;
  },
  pixelOf: (longitude: number, latitude: number) => mapChart.convertToPixel({ geoIndex: 0 }, [longitude, latitude]),
};

void start().catch(showError);
