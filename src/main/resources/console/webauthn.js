'use strict';
// Airlock console: the one script it serves. It hands the options the server rendered into a button's
// data-webauthn attribute to the browser's WebAuthn API, and posts the key's answer back in the form's
// "credential" field. Nothing else on the page runs script (the CSP allows only this file).
(() => {
  const decode = (s) => {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const encode = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  async function create(options) {
    const pk = options.publicKey;
    pk.challenge = decode(pk.challenge);
    pk.user.id = decode(pk.user.id);
    (pk.excludeCredentials || []).forEach((c) => { c.id = decode(c.id); });
    const cred = await navigator.credentials.create({ publicKey: pk });
    return {
      type: cred.type, id: cred.id, rawId: encode(cred.rawId),
      response: {
        clientDataJSON: encode(cred.response.clientDataJSON),
        attestationObject: encode(cred.response.attestationObject),
        transports: cred.response.getTransports ? cred.response.getTransports() : [],
      },
      clientExtensionResults: cred.getClientExtensionResults(),
    };
  }

  async function get(options) {
    const pk = options.publicKey;
    pk.challenge = decode(pk.challenge);
    (pk.allowCredentials || []).forEach((c) => { c.id = decode(c.id); });
    const cred = await navigator.credentials.get({ publicKey: pk });
    const r = cred.response;
    return {
      type: cred.type, id: cred.id, rawId: encode(cred.rawId),
      response: {
        clientDataJSON: encode(r.clientDataJSON),
        authenticatorData: encode(r.authenticatorData),
        signature: encode(r.signature),
        userHandle: r.userHandle ? encode(r.userHandle) : null,
      },
      clientExtensionResults: cred.getClientExtensionResults(),
    };
  }

  document.addEventListener('submit', async (event) => {
    const button = event.submitter;
    if (!button || !button.dataset.webauthn) {
      return;
    }
    event.preventDefault();
    const form = event.target;
    const status = form.querySelector('.key-status');
    try {
      if (status) {
        status.textContent = 'Touch your security key…';
      }
      const options = JSON.parse(button.dataset.webauthn);
      const answer = button.dataset.mode === 'create' ? await create(options) : await get(options);
      form.querySelector('input[name=credential]').value = JSON.stringify(answer);
      form.submit();
    } catch (e) {
      if (status) {
        status.textContent = 'The security key did not answer (' + e.name + '). Try again, or reload the page.';
      }
    }
  });
})();
