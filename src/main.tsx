import { render } from 'preact';
import { App } from './app';
import './styles/base.css';
import './styles/models.css';
import './styles/identify.css';
import './styles/history.css';
import './styles/dialogs.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
