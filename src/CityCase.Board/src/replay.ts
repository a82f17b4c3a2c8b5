// Case replay for auditors: the history (who, what, when), a slider that shows the case as it stood at any
// moment (caseAsOf), and the audit chain's verdict.
import { cityTime, developmentSignIn, escape, GraphQLError, LIGHT_COLOURS, query, setToken, token, type Light } from './api';
import { applyLabels, language, onLanguageChange, t, toggleLanguage } from './i18n';

interface Entry { sequence: number; version: number; type: string; timestamp: string; actor: { userId: string; name: string; role: string } | null }
const number = decodeURIComponent(location.pathname.split('/').pop() ?? '');
let caseId = '';
let entries: Entry[] = [];
let shownVersion = -1;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const when = (instant: string) => cityTime(instant, language());

function message(text: string | null): void {
  $('message').hidden = !text;
  $('message').textContent = text ?? '';
}

async function load(): Promise<void> {
  const found: any = await query(`query Find($number: String!) { case(number: $number) { id } }`, { number });
  if (!found.case) { message(`${t('notFound')}: ${number}`); return; }
  caseId = found.case.id;
  const data: any = await query(`query Replay($id: ID!) {
      caseHistory(id: $id) { sequence version type timestamp actor { userId name role } }
      auditChain(caseId: $id) { intact checkedEvents firstBrokenVersion problem } }`, { id: caseId });
  entries = data.caseHistory;
  renderTimeline();
  const audit = data.auditChain;
  $('audit').className = `audit ${audit?.intact ? 'intact' : 'broken'}`;
  $('audit').dataset.intact = String(!!audit?.intact);
  $('audit').textContent = audit
    ? audit.intact ? `✔ ${t('intact')} (${audit.checkedEvents})` : `✘ ${t('broken')}: v${audit.firstBrokenVersion} ${audit.problem ?? ''}`
    : '–';
  const slider = $<HTMLInputElement>('slider');
  slider.max = String(entries.length - 1);
  slider.value = String(entries.length - 1);
  slider.disabled = false;
  await showAt(entries.length - 1);
  document.body.dataset.ready = 'true';
}

function renderTimeline(): void {
  $('timeline').innerHTML = entries.map((e, i) => `<li data-index="${i}" data-version="${e.version}">
      <time>${when(e.timestamp)}</time> <b>${e.type}</b>
      <span class="by">${t('by')}: ${escape(e.actor ? `${e.actor.name} (${e.actor.role})` : '–')}</span></li>`).join('');
  $('timeline').querySelectorAll<HTMLElement>('li').forEach((li) =>
    li.addEventListener('click', () => { $<HTMLInputElement>('slider').value = li.dataset.index!; void showAt(Number(li.dataset.index)); }));
}

let latestRequest = 0;
async function showAt(index: number): Promise<void> {
  const entry = entries[index];
  if (!entry) return;
  const request = ++latestRequest; // a slider dragged fast asks many times: only the last answer is shown
  const data: any = await query(`query AsOf($id: ID!, $at: Instant!) { caseAsOf(id: $id, at: $at) {
      number status suspended departmentCode categoryCode urgency version description
      clocks { clock startedAt dueAt light provisional } } }`, { id: caseId, at: entry.timestamp });
  if (request !== latestRequest) return;
  const c = data.caseAsOf;
  shownVersion = entry.version;
  $('as-of-time').textContent = when(entry.timestamp);
  $('timeline').querySelectorAll<HTMLElement>('li').forEach((li) => li.classList.toggle('current', Number(li.dataset.index) === index));
  $('as-of').dataset.version = String(c?.version ?? '');
  $('as-of').dataset.status = c?.status ?? '';
  $('as-of').innerHTML = c ? `<dl>
      <dt>${t('status')}</dt><dd data-detail="status">${c.status}${c.suspended ? ' ⏸' : ''}</dd>
      <dt>${t('department')}</dt><dd>${c.departmentCode ?? '–'}</dd>
      <dt>v</dt><dd>${c.version}</dd></dl>
      <p>${escape(c.description)}</p>
      <h3>${t('clocks')}</h3>
      <ul>${c.clocks.map((k: any) => `<li><i class="dot" style="background:${LIGHT_COLOURS[k.light as Light]}"></i>${k.clock}: ${when(k.startedAt)} → ${when(k.dueAt)}${k.provisional ? ' *' : ''}</li>`).join('')}</ul>` : '–';
}

$('slider').addEventListener('input', () => void showAt(Number($<HTMLInputElement>('slider').value)).catch(showError));
$('dev-signin').addEventListener('click', async () => {
  try { await developmentSignIn('auditor'); location.reload(); } catch (error) { message((error as Error).message); }
});
$('use-token').addEventListener('click', () => { setToken($<HTMLInputElement>('token').value.trim() || null); location.reload(); });
$('signout').addEventListener('click', () => { setToken(null); location.reload(); });
$('language').addEventListener('click', toggleLanguage);
onLanguageChange(() => { renderTimeline(); const i = entries.findIndex((e) => e.version === shownVersion); if (i >= 0) void showAt(i); });

function showError(error: unknown): void {
  const signedOut = error instanceof GraphQLError && (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN');
  message(signedOut ? `${t('signInFirst')} (${(error as Error).message})` : String((error as Error).message ?? error));
  if (signedOut) { $('signin').hidden = false; $('signout').hidden = true; }
}

applyLabels();
$('number').textContent = number;
$('signin').hidden = !!token();
$('signout').hidden = !token();
if (token()) void load().catch(showError);
else message(t('signInFirst'));
