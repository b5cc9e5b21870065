import { request } from '@tsgi/core/testing';
import { battery } from '../../battery.js';
import app from '../app.js';

battery('hono', app, 'Hello from Hono on TSGI\n', { request });
