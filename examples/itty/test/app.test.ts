import { request } from '@tsgi/core/testing';
import { battery } from '../../battery.js';
import app from '../app.js';

battery('itty', app, 'Hello from itty-router on TSGI\n', { request });
