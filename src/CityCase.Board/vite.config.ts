import { defineConfig } from 'vite';

// Two pages, served by CityCase.Api under /board: the board itself and the case replay (/board/case/{number}).
export default defineConfig({
  base: '/board/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000, // ECharts is one large module; the board loads it once
    rolldownOptions: { input: { index: 'index.html', replay: 'replay.html' } },
  },
});
