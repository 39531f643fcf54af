"""An aiogram-style runtime over wechatpy: updates, dispatcher, routers, filters, FSM, storages, push."""
