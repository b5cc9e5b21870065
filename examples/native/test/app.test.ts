import { request } from '@tsgi/core/testing';
import { battery } from '../../battery.js';
import app from '../app.js';

battery('native', app, 'Hello from a TSGI-native app\n', { request });
