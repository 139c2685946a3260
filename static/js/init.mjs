// Initialise GOV.UK Frontend (v6) components.
//
// Loaded as an external module so the Content-Security-Policy needs no
// 'unsafe-inline':
//   <script type="module" src="{{ url_for('static', filename='js/init.mjs') }}"></script>
//
// The import path is relative to this file, so it keeps working if the app is
// mounted under a URL prefix.
import { initAll } from '../govuk/govuk-frontend.min.js'

// The base template should already have set these classes with the official
// inline snippet (with a CSP nonce) at the start of <body>, which avoids a
// flash of un-enhanced components. Module scripts only run in browsers that
// GOV.UK Frontend supports, so adding them here as a fallback is safe.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initAll()
