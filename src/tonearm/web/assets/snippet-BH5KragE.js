import{av as p,aw as t,ax as c}from"./index-RHfT5dRr.js";function l(n,s,...e){var r=new c(n);p(()=>{const a=s()??null;r.ensure(a,a&&(o=>a(o,...e)))},t)}export{l as s};
