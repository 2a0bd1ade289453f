// The staff console's entry point (placeholder until the console lands; see issue #7).
document.getElementById('app').textContent = 'Disclose 控制台';
