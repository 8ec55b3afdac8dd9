// The console's sign-in page: shows why the last attempt failed (the server redirects back with ?error=…).
// A file of its own because the CSP allows no inline script.
(function () {
  var params = new URLSearchParams(window.location.search);
  var reason = params.get('error');
  if (!reason) return;
  var seconds = parseInt(params.get('retry') || '', 10);
  var texts = {
    wait: 'Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie '
      + (seconds > 0 ? (seconds === 1 ? '1 Sekunde' : seconds + ' Sekunden') : 'einen Moment')
      + ' und versuchen Sie es dann erneut.',
    otp: 'Bitte geben Sie den sechsstelligen Bestätigungscode aus Ihrer Authenticator-App ein.',
    otp_invalid: 'Der Bestätigungscode ist falsch oder abgelaufen. Bitte versuchen Sie es erneut.',
    origin: 'Die Anmeldung ist von dieser Seite aus nicht erlaubt.',
  };
  var box = document.getElementById('error');
  box.textContent = texts[reason] || 'Benutzername oder Passwort ist falsch. Bitte versuchen Sie es erneut.';
  box.hidden = false;
  if (reason === 'otp' || reason === 'otp_invalid') document.getElementById('otp').focus();
})();
