// What the page says, in Chinese and English. The verifier's reports carry a stable `code`
// (docs/errors.md) and an English technical `reason`; a person at a counter needs neither, so
// each code is mapped here to plain words in both languages — exact codes first, then by layer
// prefix, then a general fallback — and the technical code is shown only in small print.

/** Plain reasons for a verification result, by exact code. */
const BY_CODE = {
  ok: ['证件真实有效，状态正常', 'The certificate is genuine and in good standing'],

  'status.revoked': ['此证件已被注销', 'This certificate has been revoked'],
  'status.suspended': ['此证件已被暂停使用', 'This certificate has been suspended'],
  'status.unrecognised': ['无法确认此证件的状态，不予受理', 'The state of this certificate cannot be confirmed'],
  'status.missing': ['此证件无法查询是否已注销，不予受理', 'This certificate cannot be checked for revocation'],
  'status.unknown_list': [
    '本机没有此证件的注销名单，请管理员更新后再核验',
    'This device has no revocation list for this certificate — ask the administrator to update it',
  ],
  'status.expired_list': [
    '本机的注销名单已过期，请管理员更新后再核验',
    'This device’s revocation list is out of date — ask the administrator to update it',
  ],

  'sdjwt.kb_stale': [
    '二维码已过期，请持证人刷新后重新出示',
    'This code is too old — ask the holder to refresh it and show it again',
  ],
  'sdjwt.kb_iat_in_future': [
    '二维码的时间不对，请核对本机和手机的时间',
    'The code’s time is wrong — check the clock on this device and on the phone',
  ],
  'sdjwt.kb_missing': [
    '二维码不完整，请持证人在证照应用中重新出示',
    'The code is incomplete — ask the holder to show it again from the app',
  ],

  'qr.replay': [
    '该二维码已被使用过，可能是截图。请持证人刷新后重新出示',
    'This code has already been used — it may be a screenshot. Ask the holder to refresh it and show it again',
  ],
  'qr.challenge_expired': ['二维码已过期，请持证人重新出示', 'This code has expired — ask the holder to show it again'],
  'qr.challenge_used': [
    '该二维码已被使用过，请持证人重新出示',
    'This code has already been used — ask the holder to show it again',
  ],
  'qr.challenge_unknown': [
    '此二维码不是为本机生成的，请持证人重新出示',
    'This code was not made for this device — ask the holder to show it again',
  ],
  'qr.wrong_audience': [
    '此二维码不是为本机生成的，请持证人重新出示',
    'This code was not made for this device — ask the holder to show it again',
  ],
  'qr.not_a_payload': ['这不是证照二维码', 'This is not a certificate code'],
  'qr.empty_payload': ['没有收到二维码内容', 'No code was received'],
  'qr.unknown_version': [
    '二维码来自更新版本的应用，请更新本核验页面',
    'This code comes from a newer app — update this verifier',
  ],
  'qr.replay_cache_full': [
    '本机短时间内核验过多，请稍候再试',
    'Too many codes checked in a short time — please wait a moment and try again',
  ],

  'vc.expired': ['此电子证照已过期，请持证人更新', 'This electronic certificate has expired — the holder must renew it'],
  'vc.document_expired': ['证件已超过有效期限', 'The document is past its expiry date'],
  'vc.not_yet_valid': [
    '此证件尚未生效（或本机时间不正确）',
    'This certificate is not valid yet (or this device’s clock is wrong)',
  ],
  'vc.issued_in_future': [
    '证件签发时间不对（或本机时间不正确）',
    'The certificate’s issue time is wrong (or this device’s clock is wrong)',
  ],
  'vc.unknown_issuer': [
    '签发机构不在本机的信任名单中',
    'The issuing authority is not on this device’s trusted list',
  ],
  'vc.unknown_key': [
    '签发机构的签名密钥不在信任名单中',
    'The issuing authority’s key is not on the trusted list',
  ],
  'vc.issuer_not_authorised': [
    '该机构无权签发此类证件',
    'This authority may not issue this type of certificate',
  ],
  'vc.key_not_valid': [
    '签发时机构的密钥不在有效期内',
    'The authority’s key was not valid when this certificate was issued',
  ],
  'vc.unknown_type': ['本机不认识此类证件', 'This type of certificate is not known to this device'],

  'wasm.no_trust_list': [
    '本机尚未设置信任名单，请管理员先完成设置',
    'This device has no trust list yet — the administrator must set it up first',
  ],
  'trust.stale': [
    '本机的信任名单已过期，请管理员更新',
    'This device’s trust list is out of date — ask the administrator to update it',
  ],
};

/** Plain reasons by layer, when no exact code matches. */
const BY_PREFIX = [
  // Decoding, signature and key-binding failures: the code was altered, damaged or forged.
  ['qr.', ['二维码被篡改或无法识别', 'The code has been altered or cannot be read']],
  ['jws.', ['二维码被篡改或无法识别', 'The code has been altered or cannot be read']],
  ['sdjwt.', ['二维码被篡改或无法识别', 'The code has been altered or cannot be read']],
  ['key.', ['二维码被篡改或无法识别', 'The code has been altered or cannot be read']],
  ['status.', ['无法确认此证件是否已注销，不予受理', 'Whether this certificate was revoked cannot be checked']],
  ['vc.', ['此证件不符合规定，不予受理', 'This certificate does not meet the rules']],
  ['trust.', [
    '本核验设备的设置有问题，请联系管理员',
    'This verifier is not set up correctly — contact the administrator',
  ]],
  ['wasm.', [
    '本核验设备的设置有问题，请联系管理员',
    'This verifier is not set up correctly — contact the administrator',
  ]],
];

const FALLBACK = ['无法核验此证件', 'This certificate could not be verified'];

/** `{zh, en}`: what a result's code means, in plain words. */
export function reasonFor(code) {
  const exact = BY_CODE[code];
  const pair = exact ?? BY_PREFIX.find(([prefix]) => String(code).startsWith(prefix))?.[1] ?? FALLBACK;
  return { zh: pair[0], en: pair[1] };
}

/** Plain words for the setup panel's failures (a trust list, a status list, a root key). */
const SETUP_BY_CODE = {
  'trust.bad_signature': [
    '信任名单的签名与本机固定的根密钥不符',
    'The trust list is not signed by the root key pinned on this device',
  ],
  'trust.stale': ['信任名单已过期，请获取新版', 'The trust list is out of date — get a new one'],
  'trust.issued_in_future': [
    '信任名单的签发时间晚于本机时间，请核对本机时间',
    'The trust list is dated in the future — check this device’s clock',
  ],
  'trust.rollback': ['这是一份较旧的信任名单，未采用', 'This is an older trust list; it was not used'],
  'status.rollback': ['本机已有更新的注销名单，未采用此份', 'This device already has a newer status list; this one was not used'],
  'status.untrusted_signer': [
    '注销名单不是由信任名单中的机构签发的',
    'The status list is not signed by an authority on the trust list',
  ],
  'wasm.no_trust_list': ['请先载入信任名单', 'Load a trust list first'],
  'wasm.invalid_json': ['文件内容格式不正确', 'The file is not in the expected format'],
  'wasm.invalid_utf8': ['文件内容格式不正确', 'The file is not in the expected format'],
  'qr.replay_cache_corrupt': [
    '已保存的核验记录已损坏，已重新开始记录',
    'The saved scan history was damaged; a new history was started',
  ],
  'setup.no_root': ['请先设置根密钥', 'Set the root key first'],
  'key.private_in_public': [
    '这是私钥，不能在核验设备上使用；请只输入根公钥',
    'This is a private key and must not be used on a verifier — enter the public root key only',
  ],
  'setup.bad_bundle': [
    '设置包格式不正确（应含 root_jwk、trust_list、status_lists）',
    'The bundle is not in the expected format (root_jwk, trust_list, status_lists)',
  ],
  'setup.download': ['无法下载', 'Could not download'],
  'setup.offline': ['网络不可用，使用本机已保存的设置', 'Offline: using the setup stored on this device'],
  'setup.too_large': ['文件过大', 'The file is too large'],
  'setup.root_differs': [
    '设置包中的根密钥与本机固定的不同，未替换（如需更换，请在设置中明确操作）',
    'The bundle’s root key differs from the one pinned here; it was not replaced (replace it explicitly in Setup if intended)',
  ],
  'setup.storage': [
    '本机浏览器无法保存设置，重新打开页面后需重新设置',
    'This browser cannot store the setup; it must be loaded again after a reload',
  ],
};

const SETUP_BY_PREFIX = [
  ['key.', ['根密钥格式不正确', 'The root key is not a valid key']],
  ['trust.', ['信任名单无效', 'The trust list is not valid']],
  ['jws.', ['文件不是有效的签名文件', 'The file is not a valid signed file']],
  ['status.', ['注销名单无效', 'The status list is not valid']],
];

/** `{zh, en}` for a failure while setting up. */
export function setupReasonFor(code) {
  const exact = SETUP_BY_CODE[code];
  const pair = exact
    ?? SETUP_BY_PREFIX.find(([prefix]) => String(code).startsWith(prefix))?.[1]
    ?? ['设置失败', 'Setup failed'];
  return { zh: pair[0], en: pair[1] };
}

/** Strings of the page's own interface; `data-i18n` attributes name them. */
export const UI = {
  zh: {
    title: '亮证核验',
    subtitle: '扫描持证人出示的二维码',
    setup: '设置',
    'lang.other': 'English',
    'scan.hint': '请将手机上的二维码对准摄像头',
    'scan.start': '打开摄像头',
    'scan.stop': '关闭摄像头',
    'scan.scanning': '正在扫描…',
    'scan.same': '仍是同一个二维码，请出示下一个',
    'scan.no_camera': '无法使用摄像头，请手动输入二维码内容',
    'scan.not_ready': '请先在“设置”中载入信任名单',
    'scan.loading': '正在准备…',
    next: '扫描下一个',
    'paste.title': '手动输入二维码内容',
    'paste.placeholder': '在此粘贴或输入二维码内容（CW1:…）',
    'paste.verify': '核验',
    'paste.empty': '请先输入二维码内容',
    'result.issuer': '签发机构',
    'result.type': '证件类型',
    'result.status': '状态',
    'result.checked': '核验时间',
    'result.status.VALID': '正常',
    'result.status.INVALID': '已注销',
    'result.status.SUSPENDED': '已暂停',
    'result.status.unknown': '未知',
    'result.yes': '是',
    'result.no': '否',
    'setup.title': '设置',
    'setup.close': '关闭',
    'setup.summary.none': '尚未设置信任名单',
    'setup.bundle': '设置包（含根密钥、信任名单、注销名单）',
    'setup.root': '根密钥（固定）',
    'setup.root.pinned': '已固定',
    'setup.root.none': '尚未固定根密钥',
    'setup.root.replace': '更换根密钥',
    'setup.root.confirm': '确定要更换本机固定的根密钥吗？只有在主管部门发布新根密钥时才应更换。',
    'setup.root.save': '固定此根密钥',
    'setup.root.placeholder': '粘贴根密钥（JWK）',
    'setup.trust': '信任名单',
    'setup.status': '注销名单',
    'setup.status.none': '尚无注销名单',
    'setup.file': '选择文件',
    'setup.url': '网址',
    'setup.load': '载入',
    'setup.loaded': '已载入',
    'setup.trust.id': '名单',
    'setup.trust.seq': '版本',
    'setup.trust.issued': '签发时间',
    'setup.trust.next': '下次更新',
    'setup.trust.stale': '已过期，请更新',
    'setup.trust.issuers': '签发机构',
    'setup.status.updated': '更新于',
    'setup.status.old': '已过期，请更新',
    'setup.status.expires': '失效时间',
    'setup.history': '防重复记录',
    'setup.history.entries': '条',
    'setup.offline': '网络不可用，使用本机已保存的设置',
  },
  en: {
    title: 'Certificate check',
    subtitle: 'Scan the code the holder shows',
    setup: 'Setup',
    'lang.other': '中文',
    'scan.hint': 'Hold the code on the phone up to the camera',
    'scan.start': 'Turn camera on',
    'scan.stop': 'Turn camera off',
    'scan.scanning': 'Scanning…',
    'scan.same': 'Still the same code — show the next one',
    'scan.no_camera': 'The camera cannot be used — type or paste the code instead',
    'scan.not_ready': 'Load a trust list in Setup first',
    'scan.loading': 'Getting ready…',
    next: 'Scan next',
    'paste.title': 'Type or paste a code',
    'paste.placeholder': 'Paste or type the code here (CW1:…)',
    'paste.verify': 'Verify',
    'paste.empty': 'Enter a code first',
    'result.issuer': 'Issued by',
    'result.type': 'Certificate',
    'result.status': 'Status',
    'result.checked': 'Checked at',
    'result.status.VALID': 'In good standing',
    'result.status.INVALID': 'Revoked',
    'result.status.SUSPENDED': 'Suspended',
    'result.status.unknown': 'Unknown',
    'result.yes': 'Yes',
    'result.no': 'No',
    'setup.title': 'Setup',
    'setup.close': 'Close',
    'setup.summary.none': 'No trust list set up yet',
    'setup.bundle': 'Setup bundle (root key, trust list, status lists)',
    'setup.root': 'Root key (pinned)',
    'setup.root.pinned': 'Pinned',
    'setup.root.none': 'No root key pinned yet',
    'setup.root.replace': 'Replace root key',
    'setup.root.confirm': 'Really replace the root key pinned on this device? Only do this when the authority publishes a new root key.',
    'setup.root.save': 'Pin this root key',
    'setup.root.placeholder': 'Paste the root key (JWK)',
    'setup.trust': 'Trust list',
    'setup.status': 'Status lists',
    'setup.status.none': 'No status lists yet',
    'setup.file': 'Choose file',
    'setup.url': 'URL',
    'setup.load': 'Load',
    'setup.loaded': 'Loaded',
    'setup.trust.id': 'List',
    'setup.trust.seq': 'version',
    'setup.trust.issued': 'Issued',
    'setup.trust.next': 'Next update',
    'setup.trust.stale': 'out of date — update it',
    'setup.trust.issuers': 'Issuers',
    'setup.status.updated': 'updated',
    'setup.status.old': 'out of date — update it',
    'setup.status.expires': 'expires',
    'setup.history': 'Scan history',
    'setup.history.entries': 'codes remembered',
    'setup.offline': 'Offline: using the setup stored on this device',
  },
};

/** "1 小时前" / "1 h ago" (or "in 6 days" for a time ahead), from a difference in seconds. */
export function relativeTime(seconds, lang) {
  const ahead = seconds < 0;
  const s = Math.abs(seconds);
  const units = [
    [86_400, '天', 'day', 'days'],
    [3_600, '小时', 'h', 'h'],
    [60, '分钟', 'min', 'min'],
  ];
  const unit = units.find(([size]) => s >= size);
  if (!unit) return lang === 'zh' ? '刚刚' : 'just now';
  const n = Math.floor(s / unit[0]);
  if (lang === 'zh') return `${n} ${unit[1]}${ahead ? '后' : '前'}`;
  const word = n === 1 ? unit[2] : unit[3];
  return ahead ? `in ${n} ${word}` : `${n} ${word} ago`;
}

/** Local date and time, "2026-12-02 19:37", from Unix seconds. */
export function localTime(seconds) {
  const d = new Date(seconds * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
