// Labels in Chinese and English; the switch in the header flips them without a reload.
const labels = {
  title: ['城市运行一屏通览', 'City operations at a glance'],
  replayTitle: ['案件回放', 'Case replay'],
  signIn: ['开发登录', 'Sign in (development)'],
  signOut: ['退出', 'Sign out'],
  tokenPlaceholder: ['粘贴令牌', 'Paste a token'],
  useToken: ['使用令牌', 'Use token'],
  live: ['实时', 'Live'],
  offline: ['重连中', 'Reconnecting'],
  today: ['今日', 'Today'],
  period: ['时段', 'Period'],
  periodToday: ['今日', 'Today'],
  period7: ['近7天', 'Last 7 days'],
  period30: ['近30天', 'Last 30 days'],
  intake: ['今日受理', 'Intake today'],
  hotline: ['热线', 'Hotline'],
  patrol: ['巡查', 'Patrol'],
  sensor: ['感知', 'Sensors'],
  total: ['合计', 'Total'],
  dispatched: ['派遣', 'Dispatched'],
  disposed: ['处置', 'Disposed'],
  closed: ['结案', 'Closed'],
  overdue: ['超时', 'Overdue'],
  map: ['网格态势', 'Grids and open cases'],
  casesInPeriod: ['案件数', 'Cases'],
  slaBoard: ['部门时限亮灯', 'SLA lights by department'],
  green: ['绿灯', 'Green'],
  yellow: ['黄灯', 'Yellow'],
  red: ['红灯', 'Red'],
  ranking: ['部门综合评价（本月）', 'Department scores (this month)'],
  hotlineRates: ['热线告知率（本月）', 'Hotline notices (this month)'],
  acceptanceNotified: ['受理告知', 'Acceptance notified'],
  completionNotified: ['办结告知', 'Completion notified'],
  trend: ['近7日趋势', '7-day trend'],
  alerts: ['实时预警', 'Live alerts'],
  noAlerts: ['暂无预警', 'No alerts yet'],
  grid: ['网格', 'Grid'],
  community: ['社区', 'Community'],
  street: ['街道', 'Street'],
  case: ['案件', 'Case'],
  status: ['状态', 'Status'],
  department: ['部门', 'Department'],
  light: ['亮灯', 'Light'],
  replay: ['回放', 'Replay'],
  close: ['关闭', 'Close'],
  timeline: ['时间线', 'Timeline'],
  asOf: ['时点', 'As of'],
  audit: ['审计链', 'Audit chain'],
  intact: ['完整', 'intact'],
  broken: ['已被篡改', 'BROKEN'],
  clocks: ['时限', 'Clocks'],
  by: ['操作人', 'By'],
  notFound: ['未找到案件', 'Case not found'],
  signInFirst: ['请先登录', 'Sign in first'],
} as const;

export type Label = keyof typeof labels;
const LANG_KEY = 'citycase.board.lang';
let lang: 0 | 1 = localStorage.getItem(LANG_KEY) === 'en' ? 1 : 0;
const listeners: (() => void)[] = [];

export function t(label: Label): string {
  return labels[label][lang];
}

export function language(): 'zh' | 'en' {
  return lang === 0 ? 'zh' : 'en';
}

export function toggleLanguage(): void {
  lang = lang === 0 ? 1 : 0;
  localStorage.setItem(LANG_KEY, language());
  document.documentElement.lang = lang === 0 ? 'zh-CN' : 'en';
  applyLabels();
  listeners.forEach((listener) => listener());
}

export function onLanguageChange(listener: () => void): void {
  listeners.push(listener);
}

/** Every element with data-label="key" shows that label. */
export function applyLabels(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-label]').forEach((element) => {
    element.textContent = t(element.dataset.label as Label);
  });
  root.querySelectorAll<HTMLInputElement>('[data-placeholder]').forEach((element) => {
    element.placeholder = t(element.dataset.placeholder as Label);
  });
}
